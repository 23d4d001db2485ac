import { stat } from 'node:fs/promises';
import path from 'node:path';
import {
  AppError,
  errorMessage,
  taskBranchName,
  TASK_LIMITS,
  type Task,
  type TaskSpec,
  type Attempt,
  type MergeResult,
  type TaskError,
  type TaskResult,
} from '@claudine/core';
import type { TaskStore } from '@claudine/store';
import type { Logger } from '@claudine/observability';
import type {
  AgentExecutor,
  AgentRunOutcome,
  PreparedAgentRun,
  StopReason,
} from '../execution/agent-executor';
import { transcriptPath } from '../execution/claude-code-executor';
import type { MergeBack } from '../workspace/merge-back';
import type { RepositorySetup, RunningSetup } from '../workspace/repository-setup';
import type { TaskWorkspace, WorktreeManager } from '../workspace/worktree-manager';
import type { AgentExitReason, WorkerMetrics } from '../metrics/worker-metrics';
import { classifyOutcome, type ClassifiedOutcome } from './classify-outcome';
import { EventSink } from './event-sink';

export interface TaskRunnerOptions {
  workerId: string;
  store: TaskStore;
  executor: AgentExecutor;
  worktrees: WorktreeManager;
  mergeBack: MergeBack;
  /** Runs the repository's setup command, if it has one, before the agent. */
  setup?: RepositorySetup;
  /** Per-run directories (agent config, transcripts) go to `<runsDir>/<task id>` and are kept. */
  runsDir: string;
  /** The worker's logger, bound to its workerId: the runner adds taskId and attempt to each line. */
  logger: Logger;
  /** Where attempts, their outcome, cost and tokens are counted (metrics/worker-metrics.ts). */
  metrics?: WorkerMetrics;
}

/**
 * What the queue should do with the job after a run:
 * - `done`: the task reached its final state;
 * - `retry`: an infrastructure failure with attempts left; BullMQ retries it with backoff;
 * - `requeue`: hand it back without spending an attempt (the worker is shutting down, or the
 *   API rate-limited it: then this worker pauses new starts until `pauseUntilMs`).
 */
export type RunDecision =
  | { kind: 'done' }
  | { kind: 'retry'; reason: string }
  | { kind: 'requeue'; reason: string; pauseUntilMs?: number }
  | { kind: 'fenced'; reason: string };

export interface RunOptions {
  /** False on the last attempt BullMQ will make: a retryable failure is then final. */
  attemptsLeft: boolean;
  /** The queue the job came from: the start is refused when the task was routed elsewhere since. */
  queueName?: string;
  /**
   * Asked right before an irreversible step (merging into the base, pushing, opening a PR): true
   * while this worker still holds the task's queue job, whose lock it extends for the step.
   * False: another worker may take (or took) the task over, and the step must not happen.
   */
  stillOwner?: () => Promise<boolean>;
}

/** How long a rate-limited worker pauses when the API does not say. */
const DEFAULT_RATE_LIMIT_PAUSE_MS = 60_000;

/** What the runner tracks of a task in progress, so that cancel and shutdown can reach it. */
interface ActiveRun {
  /** Its lines carry taskId, and attempt once claimed (null before). */
  logger: Logger;
  stopRequested?: StopReason;
  setup?: RunningSetup;
  agent?: PreparedAgentRun;
  /** Set once the attempt is claimed: what the ownership checks compare against. */
  attemptNumber?: number;
  /** Why this run lost its attempt; once set, the run reports nothing. */
  fenced?: string;
  /** The final write is under way: ownership checks leave it alone. */
  settling?: boolean;
}

/**
 * Runs one task from start to end on this worker: claims the attempt, prepares the worktree,
 * runs the agent with its timeout, streams its events, commits its work and records the outcome.
 * Every path, including failures before the agent starts, ends in exactly one final state.
 */
export class TaskRunner {
  private readonly active = new Map<string, ActiveRun>();

  constructor(private readonly options: TaskRunnerOptions) {}

  get runningTaskIds(): string[] {
    return [...this.active.keys()];
  }

  /** Stops a task this worker runs; false when it runs elsewhere (or not at all). */
  stop(taskId: string, reason: StopReason): boolean {
    const run = this.active.get(taskId);
    if (!run) return false;
    run.stopRequested ??= reason;
    run.setup?.stop(reason);
    run.agent?.stop(reason);
    return true;
  }

  stopAll(reason: StopReason): void {
    for (const taskId of this.active.keys()) this.stop(taskId, reason);
  }

  /**
   * This worker lost the task's attempt (taken over, or cut off from Redis past its lock): stops
   * the run at once; it reports nothing, merges nothing.
   */
  fence(taskId: string, reason: string): boolean {
    const run = this.active.get(taskId);
    if (!run || run.settling) return false;
    if (run.fenced === undefined) {
      run.fenced = reason;
      run.logger.warn({ reason }, 'fenced: stopping the agent, reporting nothing');
    }
    return this.stop(taskId, 'fenced');
  }

  /** The attempt this worker runs of a task, or null (not here, or not claimed yet): for log lines. */
  attemptOf(taskId: string): number | null {
    return this.active.get(taskId)?.attemptNumber ?? null;
  }

  /** Fences every run (self-fencing: Redis was unreachable for longer than the lock). */
  fenceAll(reason: string): string[] {
    return [...this.active.keys()].filter((taskId) => this.fence(taskId, reason));
  }

  /**
   * Checks, for every run that has claimed its attempt, that this worker still holds it, and
   * fences the ones that another attempt superseded. Called at every heartbeat.
   */
  async checkOwnership(): Promise<void> {
    const { store, workerId } = this.options;
    await Promise.all(
      [...this.active.entries()].map(async ([taskId, run]) => {
        const attemptNumber = run.attemptNumber;
        if (attemptNumber === undefined || run.fenced !== undefined || run.settling) return;
        const held = await store.holdsAttempt(taskId, { workerId, attemptNumber });
        // Re-read: the run may have started its final write meanwhile (its own write ends the hold).
        if (!held && this.active.get(taskId) === run && !run.settling)
          this.fence(taskId, `attempt ${attemptNumber} was superseded`);
      }),
    );
  }

  async run(taskId: string, options: RunOptions = { attemptsLeft: false }): Promise<RunDecision> {
    const { store, workerId } = this.options;
    const run: ActiveRun = { logger: this.options.logger.child({ taskId, attempt: null }) };
    // Registered before the attempt is claimed: a cancel that sees the task running finds it here.
    this.active.set(taskId, run);
    try {
      // For the metrics only: a failed reading must not stop the task.
      const waiting = this.options.metrics
        ? await store.waitingSince(taskId).catch(() => undefined)
        : undefined;
      const claimedAtMs = Date.now();
      const started = await store.startAttempt(
        taskId,
        { workerId, startedAtMs: claimedAtMs },
        claimedAtMs,
        options.queueName,
      );
      if (started.outcome !== 'started') {
        run.logger.info({ outcome: started }, 'task not runnable, skipped');
        return { kind: 'done' };
      }
      const attempt: Attempt = { number: started.attemptNumber, workerId, startedAtMs: claimedAtMs };
      run.attemptNumber = attempt.number;
      run.logger = this.options.logger.child({ taskId, attempt: attempt.number });
      if (waiting?.attemptOpen) {
        // START_ATTEMPT closed the open attempt as 'worker lost': this one takes over.
        this.options.metrics?.failovers.inc();
        run.logger.warn('taking the task over from a lost worker');
      } else if (waiting?.sinceMs !== undefined) {
        this.options.metrics?.queueWait.observe(Math.max(0, claimedAtMs - waiting.sinceMs) / 1000);
      }
      const decision = await this.execute(taskId, attempt, run, options, run.logger);
      if (decision.kind === 'fenced') {
        this.options.metrics?.fenced.inc();
        this.options.metrics?.exits.inc({ reason: 'fenced' });
      }
      return decision;
    } finally {
      // A redelivery of the same task to this worker may have replaced the entry: leave that one.
      if (this.active.get(taskId) === run) this.active.delete(taskId);
    }
  }

  /**
   * The prompt the agent gets: the task's own, then what its dependencies left it: the result of
   * the task it continues (`continueFrom`), and which dependencies failed when it runs anyway
   * (`onDependencyFailure: continue`).
   */
  private async promptWithDependencies(task: Task): Promise<string> {
    const { spec } = task;
    const failed = (task.dependencies ?? []).filter(
      (edge) => edge.state === 'failed' || edge.state === 'cancelled',
    );
    // A same-session resume that runs here because its worker died or drained (the coordinator's
    // routing duty moved it): the session is not here, so the new one is told what came before.
    const moved = task.resume && task.resume.workerId !== this.options.workerId ? task.resume : undefined;
    if (spec.continueFrom === undefined && failed.length === 0 && !moved) return spec.prompt;
    const lines = [spec.prompt];
    if (moved) {
      const from = await this.options.store.get(moved.fromTaskId);
      lines.push(
        '',
        `--- Context: this continues task ${moved.fromTaskId}; its session was on worker ${moved.workerId}, which could not take this task, so this is a new session. ---`,
      );
      if (from?.spec.prompt) lines.push('Its prompt:', from.spec.prompt);
      if (from?.result?.text) lines.push('Its final message:', from.result.text);
      if (from?.result?.branch) lines.push(`Its work is on branch ${from.result.branch}.`);
    }
    if (spec.continueFrom !== undefined) {
      const from = await this.options.store.get(spec.continueFrom);
      lines.push(
        '',
        `--- Context: this task builds on task ${spec.continueFrom}, whose branch is checked out here. ---`,
      );
      if (from?.result?.text) lines.push('Its final message:', from.result.text);
    }
    if (failed.length > 0) {
      lines.push('', '--- Note: some dependencies of this task did not complete; it runs anyway. ---');
      for (const edge of failed) {
        const dependency = await this.options.store.get(edge.taskId);
        const why = dependency?.error ? `: ${dependency.error.code}: ${dependency.error.message}` : '';
        lines.push(`- ${edge.taskId} ${edge.state}${why}`);
      }
    }
    return lines.join('\n').slice(0, TASK_LIMITS.promptMaxChars);
  }

  private async execute(
    taskId: string,
    attempt: Attempt,
    run: ActiveRun,
    options: RunOptions,
    logger: Logger,
  ): Promise<RunDecision> {
    const { store, executor, worktrees, workerId } = this.options;
    const events = new EventSink(store, taskId, logger, {
      fence: { workerId, attemptNumber: attempt.number },
      onFenced: () => this.fence(taskId, 'events refused: the attempt was superseded'),
    });
    const fencedDecision = (): RunDecision => {
      events.discard();
      if (workspace) worktrees.finishedWith(workspace.worktreePath);
      logger.warn({ reason: run.fenced }, 'fenced: nothing reported for this attempt');
      return { kind: 'fenced', reason: run.fenced ?? 'the attempt was superseded' };
    };
    const runDir = path.join(this.options.runsDir, taskId);
    let workspace: TaskWorkspace | undefined;
    let outcome: AgentRunOutcome | undefined;
    let classified: ClassifiedOutcome;
    let result: TaskResult | undefined;
    let attemptUpdate: Promise<void> = Promise.resolve();
    let timeoutMs = 0;
    /** The model the agent named (its init line), else the one the task asked for. */
    let model: string | undefined;
    try {
      const task = await store.getOrThrow(taskId);
      timeoutMs = task.spec.timeoutMs;
      model = task.spec.agent.model;
      const continuation = task.resume?.workerId === this.options.workerId ? task.resume : undefined;
      workspace = continuation
        ? await worktrees.prepareContinuation(taskId, task.spec, continuation.fromTaskId)
        : await worktrees.prepare(taskId, startingPointOf(task.spec));
      // A continued session keeps its predecessor's run directory: the transcript lives there.
      const agentRunDir = continuation ? path.join(this.options.runsDir, continuation.fromTaskId) : runDir;
      let resumeSessionId: string | undefined;
      if (continuation) {
        const transcript = transcriptPath(agentRunDir, workspace.cwd, continuation.sessionId);
        if (
          await stat(transcript).then(
            () => true,
            () => false,
          )
        )
          resumeSessionId = continuation.sessionId;
        else
          events.push({
            type: 'worker.log',
            data: { message: 'session transcript not found; starting a new session', transcript },
          });
      }
      events.push({
        type: 'worker.log',
        data: {
          message: 'worktree ready',
          branch: workspace.branch,
          baseCommit: workspace.baseCommit,
          cwd: workspace.cwd,
        },
      });
      const setup = this.options.setup?.start({
        taskId,
        repository: task.spec.repository,
        workspace,
        onEvent: (event) => events.push(event),
      });
      if (setup) {
        run.setup = setup;
        if (run.stopRequested) setup.stop(run.stopRequested);
        await setup.done;
        run.setup = undefined;
      }
      const agent = await executor.prepare({
        taskId,
        prompt: await this.promptWithDependencies(task),
        cwd: workspace.cwd,
        runDir: agentRunDir,
        agent: task.spec.agent,
        resumeSessionId,
      });
      run.agent = agent;
      if (run.stopRequested) agent.stop(run.stopRequested);
      logger.info({ command: agent.description, cwd: workspace.cwd }, 'agent starting');
      const timer = setTimeout(() => {
        run.stopRequested ??= 'timeout';
        agent.stop('timeout');
      }, task.spec.timeoutMs);
      try {
        outcome = await agent.run({
          onEvent: (event) => {
            if (event.type === 'agent.init' && event.data.model) model = event.data.model;
            events.push(event);
          },
          onStarted: (pid, atMs) => {
            attempt.agentStartedAtMs = atMs;
            attemptUpdate = store
              .updateAttempt(taskId, { ...attempt })
              .then((written) => {
                if (!written) this.fence(taskId, 'attempt update refused: the attempt was superseded');
              })
              .catch((error: unknown) => {
                logger.warn({ err: error }, 'could not record the agent start');
              });
            logger.debug({ pid }, 'agent started');
          },
        });
      } finally {
        clearTimeout(timer);
      }
      // Spent whatever becomes of the attempt (fenced, retried or final).
      this.recordUsage(outcome, model);
      if (run.fenced !== undefined) return fencedDecision();
      classified = classifyOutcome(outcome, timeoutMs);
      // The agent's work is committed whatever the outcome, so nothing it did is lost.
      const committed = await worktrees.commit(workspace, taskId, task.spec.prompt);
      // Merging, pushing and opening a PR cannot be taken back: only the attempt's holder does
      // them, with its queue lock freshly extended so that no takeover begins meanwhile.
      if (!(await this.stillHolds(taskId, attempt, run, options))) return fencedDecision();
      // Only a completed task is merged; a merge that cannot happen is reported, never retried.
      const merge = await this.options.mergeBack
        .finish({
          taskId,
          spec: task.spec,
          workspace,
          head: committed.commit,
          completed: classified.state === 'completed',
          summary: {
            resultText: outcome.result?.text ?? '',
            costUsd: outcome.result?.costUsd ?? 0,
            changedFiles: committed.changedFiles,
          },
        })
        .catch((error: unknown): MergeResult => ({
          strategy: task.spec.mergeStrategy,
          outcome: 'refused',
          detail: `the merge failed part-way and was abandoned: ${errorMessage(error)}`,
          conflicts: [],
        }));
      events.push({ type: 'worker.log', data: { message: `merge: ${merge.outcome}`, ...merge } });
      const cleanup = task.spec.worktreeCleanup;
      if (
        task.spec.dryRun ||
        cleanup === 'delete' ||
        (cleanup === 'auto' && classified.state === 'completed')
      ) {
        // The work is committed (and maybe merged): a worktree left behind must not fail the task.
        await worktrees.release(workspace).catch((error: unknown) => {
          logger.warn({ err: error, worktree: workspace?.worktreePath }, 'could not remove the worktree');
        });
      }
      result = {
        text: outcome.result?.text ?? '',
        sessionId: outcome.sessionId ?? '',
        costUsd: outcome.result?.costUsd ?? 0,
        usage: outcome.result?.usage ?? {
          inputTokens: 0,
          outputTokens: 0,
          cacheCreationInputTokens: 0,
          cacheReadInputTokens: 0,
        },
        numTurns: outcome.result?.numTurns ?? 0,
        durationMs: outcome.result?.durationMs ?? 0,
        branch: workspace.branch,
        commit: committed.commit,
        changedFiles: committed.changedFiles,
        merge,
      };
    } catch (error) {
      if (run.fenced !== undefined) return fencedDecision();
      const taskError: TaskError = AppError.is(error)
        ? { code: error.code, message: error.message }
        : { code: 'INTERNAL', message: errorMessage(error) };
      logger.error({ err: error }, 'task failed before the agent could finish');
      classified =
        run.stopRequested === 'cancelled'
          ? { state: 'cancelled' }
          : {
              state: 'failed',
              error: taskError,
              // A shutdown that interrupted the setup hands the task back like any other.
              retryable: RETRYABLE_BEFORE_AGENT.has(taskError.code) || run.stopRequested === 'shutdown',
            };
    }

    if (run.fenced !== undefined) return fencedDecision();
    if (workspace) worktrees.finishedWith(workspace.worktreePath);
    await events.flush();
    await attemptUpdate;
    if (run.fenced !== undefined) return fencedDecision();
    // From here on the run's own writes end its hold: ownership checks must not mistake that.
    run.settling = true;
    const finishedAttempt: Attempt = {
      ...attempt,
      endedAtMs: Date.now(),
      exitCode: outcome?.exitCode ?? null,
      sessionId: outcome?.sessionId,
      outcome: classified.state,
      error: classified.state === 'failed' ? classified.error.message : undefined,
    };
    if (classified.state === 'failed' && classified.retryable) {
      const decision = decideRetry(classified.error, outcome, run.stopRequested, options);
      if (decision.kind !== 'done') {
        const requeued = await store.tryRequeueAttempt(taskId, finishedAttempt, decision.reason);
        if (requeued === 'fenced') {
          run.fenced = 'requeue refused: the attempt was superseded';
          return fencedDecision();
        }
        if (requeued === 'requeued') {
          logger.warn({ decision, error: classified.error }, 'attempt failed; task handed back to the queue');
          this.options.metrics?.exits.inc({ reason: exitReason(classified, outcome, run.stopRequested) });
          if (decision.kind === 'retry') this.options.metrics?.retries.inc();
          return decision;
        }
      }
    }
    const applied = await store.tryFinishAttempt(taskId, {
      state: classified.state,
      attempt: finishedAttempt,
      result,
      error: classified.state === 'failed' ? classified.error : undefined,
      reason: classified.state === 'failed' ? classified.error.code : undefined,
    });
    if (applied === 'fenced') {
      run.fenced = 'finish refused: the attempt was superseded';
      return fencedDecision();
    }
    logger.info({ state: classified.state, applied, costUsd: result?.costUsd }, 'task finished');
    const metrics = this.options.metrics;
    if (metrics) {
      metrics.exits.inc({ reason: exitReason(classified, outcome, run.stopRequested) });
      metrics.finished.inc({ state: classified.state });
      metrics.taskDuration.observe(
        { state: classified.state },
        Math.max(0, (finishedAttempt.endedAtMs ?? attempt.startedAtMs) - attempt.startedAtMs) / 1000,
      );
    }
    return { kind: 'done' };
  }

  /** The agent's reported cost and tokens, counted by model. */
  private recordUsage(outcome: AgentRunOutcome, model: string | undefined): void {
    const metrics = this.options.metrics;
    const report = outcome.result;
    if (!metrics || !report) return;
    const labels = { model: model || 'unknown' };
    if (report.costUsd > 0) metrics.costUsd.inc(labels, report.costUsd);
    const { usage } = report;
    const kinds = [
      ['input', usage.inputTokens],
      ['output', usage.outputTokens],
      ['cache_creation', usage.cacheCreationInputTokens],
      ['cache_read', usage.cacheReadInputTokens],
    ] as const;
    for (const [kind, tokens] of kinds) if (tokens > 0) metrics.tokens.inc({ ...labels, kind }, tokens);
  }

  /**
   * Whether this worker still holds the attempt, checked in Redis (the attempt is the task's
   * current one) and through the queue (its job lock, extended now). Fences the run when not.
   */
  private async stillHolds(
    taskId: string,
    attempt: Attempt,
    run: ActiveRun,
    options: RunOptions,
  ): Promise<boolean> {
    if (run.fenced !== undefined) return false;
    const fence = { workerId: this.options.workerId, attemptNumber: attempt.number };
    const [held, locked] = await Promise.all([
      this.options.store.holdsAttempt(taskId, fence),
      options.stillOwner ? options.stillOwner() : Promise.resolve(true),
    ]);
    if (held && locked) return run.fenced === undefined;
    run.fenced ??= held ? 'the queue lock could not be extended' : `attempt ${attempt.number} was superseded`;
    return false;
  }
}

/** The spec to prepare the worktree from: a `continueFrom` task starts from that task's branch. */
function startingPointOf(spec: TaskSpec): TaskSpec {
  return spec.continueFrom === undefined ? spec : { ...spec, baseRef: taskBranchName(spec.continueFrom) };
}

/** Failures before the agent ran that a later attempt (maybe on another worker) can get past. */
const RETRYABLE_BEFORE_AGENT: ReadonlySet<string> = new Set([
  'WORKSPACE_FAILED',
  'AGENT_START_FAILED',
  'INTERNAL',
]);

/** The reason an attempt that was not fenced counts under in claudine_agent_exits_total. */
function exitReason(
  classified: ClassifiedOutcome,
  outcome: AgentRunOutcome | undefined,
  stopRequested: StopReason | undefined,
): AgentExitReason {
  if (classified.state !== 'failed') return classified.state;
  if (stopRequested === 'shutdown') return 'shutdown';
  switch (classified.error.code) {
    case 'TIMEOUT':
      return 'timeout';
    case 'BUDGET_EXCEEDED':
      return 'budget';
    case 'AGENT_START_FAILED':
      return 'start_failed';
    default:
      return outcome?.rateLimitedUntilMs !== undefined || outcome?.result?.apiErrorStatus === 429
        ? 'rate_limited'
        : 'failed';
  }
}

function decideRetry(
  error: TaskError,
  outcome: AgentRunOutcome | undefined,
  stopRequested: StopReason | undefined,
  options: RunOptions,
): RunDecision {
  if (stopRequested === 'shutdown') return { kind: 'requeue', reason: 'handed back: the worker shut down' };
  const rateLimited =
    outcome?.rateLimitedUntilMs ??
    (outcome?.result?.apiErrorStatus === 429 ? Date.now() + DEFAULT_RATE_LIMIT_PAUSE_MS : undefined);
  if (rateLimited !== undefined) {
    return {
      kind: 'requeue',
      reason: `handed back: rate limited until ${new Date(rateLimited).toISOString()}`,
      pauseUntilMs: rateLimited,
    };
  }
  if (options.attemptsLeft)
    return { kind: 'retry', reason: `retrying after ${error.code}: ${error.message}` };
  return { kind: 'done' };
}
