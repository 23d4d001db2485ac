import type { Redis } from 'ioredis';
import { z } from 'zod';
import {
  AppError,
  canSee,
  classifyRepository,
  SYSTEM_CALLER,
  TenantSchema,
  type Caller,
  isTerminalState,
  newTaskId,
  parseOrThrow,
  TaskIdSchema,
  TASK_LIMITS,
  TaskSpecSchema,
  dependencyIds,
  type Task,
  type TaskSpec,
  type TaskEvent,
  type TaskState,
} from '@claudine/core';
import {
  closeRedis,
  createRedisConnection,
  lastEventOffset,
  publishCancel,
  readTaskEvents,
  tailStartOffset,
  type Keyspace,
  type TaskGraph,
  type TaskLinks,
  type TaskQueue,
  type TaskStore,
  type ListedWorker,
  type WorkerRegistry,
  type RoutingStore,
  type TaskQueues,
  noCapableWorkerReason,
  workerCanTake,
} from '@claudine/store';
import type { TaskRouter } from '../routing/task-router';
import type { RepositoryVerifier } from './repository-verifier';

export interface TaskServiceOptions {
  redisUrl: string;
  keys: Keyspace;
  redis: Redis;
  store: TaskStore;
  queue: TaskQueue;
  registry: WorkerRegistry;
  verifier: RepositoryVerifier;
  graph: TaskGraph;
  /** Picks each task's queue (labels, affinity, resume); without it every job goes to `queue`. */
  router?: TaskRouter;
  routing?: RoutingStore;
  queues?: TaskQueues;
}

export const LIST_PAGE_SIZE = { default: 50, max: 500 } as const;

export type ResumeMode = 'same_session' | 'new_session';

const ResumeContextSchema = z
  .string()
  .max(TASK_LIMITS.promptMaxChars, `must be at most ${TASK_LIMITS.promptMaxChars} characters`);

/** The prompt of a new session that continues a previous task: its prompt, then what became of it. */
export function resumePrompt(previous: Task, additionalContext: string): string {
  const result = previous.result;
  const lines = [
    previous.spec.prompt,
    '',
    `--- Context: this continues task ${previous.id}, which ended ${previous.state}. ---`,
  ];
  if (result?.text) lines.push('Its final message:', result.text);
  if (previous.error) lines.push(`Its error: ${previous.error.code}: ${previous.error.message}`);
  if (result?.branch)
    lines.push(
      `Its work is on branch ${result.branch}${result.commit ? ` (commit ${result.commit.slice(0, 12)})` : ''}.`,
    );
  if (result?.changedFiles.length) lines.push(`Files it changed: ${result.changedFiles.join(', ')}`);
  if (additionalContext.trim()) lines.push('', '--- Additional context ---', additionalContext.trim());
  return lines.join('\n').slice(0, TASK_LIMITS.promptMaxChars);
}
function withoutDependencies(spec: TaskSpec): TaskSpec {
  return { ...spec, dependsOn: [], continueFrom: undefined };
}

export const WATCH_TAIL_MAX = 10_000;
const WATCH_BLOCK_MS = 5_000;

export interface WatchOptions {
  /** Events with an offset greater than this. */
  fromOffset: number;
  /** Stay until the task's final state event. */
  follow: boolean;
  /** 0: every event; 1 to WATCH_TAIL_MAX: start with the last `tail` (and after fromOffset). */
  tail?: number;
  /** 0: no filter; otherwise only events whose time is at or after this (epoch ms). */
  sinceMs?: number;
}

/** The coordinator's use cases, independent of the wire: gRPC (and later MCP) call these. */
export class TaskService {
  constructor(private readonly options: TaskServiceOptions) {}

  /**
   * Validates the spec, checks a local repository, then writes the task and its job atomically.
   * @throws AppError INVALID_ARGUMENT (naming the field) or REPOSITORY_* / BASE_REF_NOT_FOUND; nothing is written then.
   */
  async delegate(specInput: unknown, caller: Caller = SYSTEM_CALLER): Promise<Task> {
    if (specInput === undefined) {
      throw new AppError('INVALID_ARGUMENT', 'spec: is required', { details: { fields: ['spec'] } });
    }
    const spec = parseOrThrow(TaskSpecSchema, specInput, 'spec');
    await this.checkSpec(spec, caller);
    return this.createTask(spec, { tenant: caller.tenant });
  }

  /**
   * Tenancy: whether the caller may see a task (an admin sees all). A task of another tenant is
   * answered exactly as a missing one, so its existence does not leak.
   * @throws AppError TASK_NOT_FOUND
   */
  private async assertVisible(taskId: string, caller: Caller): Promise<void> {
    if (caller.admin) return;
    const tenant = await this.options.store.tenantOf(taskId);
    if (tenant === undefined || !canSee(caller, tenant))
      throw new AppError('TASK_NOT_FOUND', `task ${taskId} does not exist`, { details: { taskId } });
  }

  /**
   * The tasks a new task would wait for or build on must be the caller's tenant's; another
   * tenant's is refused as an unknown task is (the same error as the graph gives one).
   * @throws AppError INVALID_ARGUMENT naming the field
   */
  private async assertReferencesVisible(field: string, taskIds: readonly string[], caller: Caller) {
    if (caller.admin) return;
    const hidden: string[] = [];
    for (const id of taskIds) {
      const tenant = await this.options.store.tenantOf(id);
      // Missing ones are named with hidden ones, as the graph would name them: the same answer.
      if (tenant === undefined || !canSee(caller, tenant)) hidden.push(id);
    }
    if (hidden.length > 0)
      throw new AppError('INVALID_ARGUMENT', `${field}: unknown task ${hidden.join(', ')}`, {
        details: { fields: [field] },
      });
  }

  /**
   * Writes a task: at once queued when it depends on nothing, else with its edges in the graph
   * (blocked, or queued here when every dependency had already completed).
   */
  private async createTask(spec: TaskSpec, links: TaskLinks = {}, taskId = newTaskId()): Promise<Task> {
    const { store, graph, queue, router } = this.options;
    if (dependencyIds(spec).length === 0) {
      // The queue follows the spec (labels, affinity) and the links (a same-session resume).
      const routed = router
        ? await router.route(taskId, spec, links)
        : { queue, route: { queueName: queue.name } };
      const task = await store.create(routed.queue, taskId, spec, Date.now(), links, routed.route);
      return (await this.noteIfNobodyCanTake(task)) ?? task;
    }
    const created = await graph.create(taskId, spec, Date.now(), links);
    if (created.outcome === 'ready') await graph.release(router?.forRelease ?? queue, [taskId]);
    return store.getOrThrow(taskId);
  }

  /**
   * A task whose labels no live worker has gets its waiting reason at once (the coordinator's
   * routing duty keeps it up to date afterwards). @returns the task re-read, when it got one
   */
  private async noteIfNobodyCanTake(task: Task): Promise<Task | undefined> {
    const { routing, registry, store } = this.options;
    if (!routing || task.spec.requires.length === 0) return undefined;
    const workers = await registry.list();
    if (workers.some((worker) => workerCanTake(worker, task.spec.requires))) return undefined;
    await routing.setWaitingReason(task.id, noCapableWorkerReason(task.spec.requires));
    return store.get(task.id);
  }

  /** The checks Delegate makes of a spec beyond its schema (a schedule's template gets them at creation). */
  async checkSpec(spec: TaskSpec, caller: Caller = SYSTEM_CALLER): Promise<void> {
    await this.assertReferencesVisible('spec.dependsOn', spec.dependsOn, caller);
    await this.options.verifier.verify(spec);
    if (spec.continueFrom !== undefined) {
      // An invisible task reads as unknown, as checkContinuation words it.
      if (!caller.admin) {
        const tenant = await this.options.store.tenantOf(spec.continueFrom);
        if (tenant !== undefined && !canSee(caller, tenant))
          throw new AppError('INVALID_ARGUMENT', `spec.continueFrom: unknown task ${spec.continueFrom}`, {
            details: { fields: ['spec.continueFrom'] },
          });
      }
      await this.checkContinuation(spec);
    }
  }

  /**
   * A schedule's run: a validated spec, under an id derived from the schedule and the fire time,
   * so that a fire handled twice (two coordinators, a retried job) makes one task.
   */
  async delegateScheduled(spec: TaskSpec, taskId: string, tenant: string): Promise<Task> {
    const existing = await this.options.store.get(taskId);
    if (existing) return existing;
    return this.createTask(spec, { tenant }, taskId);
  }

  /** Whether a task has ended (a schedule's previous run, for its concurrency policy). */
  async hasEnded(taskId: string): Promise<boolean> {
    const task = await this.options.store.get(taskId);
    return !task || isTerminalState(task.state);
  }

  /** `continueFrom` names a task of the same repository that leaves a branch to build on. */
  private async checkContinuation(spec: TaskSpec): Promise<void> {
    const from = await this.options.store.get(spec.continueFrom ?? '');
    const refuse = (message: string) =>
      new AppError('INVALID_ARGUMENT', `spec.continueFrom: ${message}`, {
        details: { fields: ['spec.continueFrom'] },
      });
    if (!from) throw refuse(`unknown task ${spec.continueFrom}`);
    if (from.spec.repository !== spec.repository)
      throw refuse(`${from.id} works on ${from.spec.repository}, not on ${spec.repository}`);
    if (from.spec.dryRun) throw refuse(`${from.id} is a dry run: it leaves no branch to continue from`);
    if (
      classifyRepository(spec.repository).kind === 'url' &&
      (from.spec.mergeStrategy === 'none' || from.spec.mergeStrategy === 'patch')
    ) {
      throw refuse(
        `${from.id} does not push its branch (merge strategy ${from.spec.mergeStrategy}), and on a URL repository another worker could not build on it`,
      );
    }
  }

  /**
   * Makes a blocked task also wait for other tasks.
   * @throws AppError INVALID_ARGUMENT, DEPENDENCY_CYCLE, TASK_NOT_FOUND, TASK_ALREADY_FINISHED
   */
  async addDependencies(
    taskId: string,
    dependsOn: readonly string[],
    caller: Caller = SYSTEM_CALLER,
  ): Promise<Task> {
    const id = parseOrThrow(TaskIdSchema, taskId, 'task_id');
    const ids = parseOrThrow(
      z.array(TaskIdSchema).min(1, 'must name at least one task').max(TASK_LIMITS.maxDependencies),
      dependsOn,
      'depends_on',
    );
    await this.assertVisible(id, caller);
    await this.assertReferencesVisible('depends_on', ids, caller);
    await this.options.graph.addDependencies(id, ids);
    return this.options.store.getOrThrow(id);
  }

  /** @throws AppError TASK_NOT_FOUND, also for another tenant's task */
  async get(taskId: string, caller: Caller = SYSTEM_CALLER): Promise<Task> {
    const task = await this.options.store.getOrThrow(parseOrThrow(TaskIdSchema, taskId, 'task_id'));
    if (!canSee(caller, task.tenant))
      throw new AppError('TASK_NOT_FOUND', `task ${task.id} does not exist`, {
        details: { taskId: task.id },
      });
    return task;
  }

  /**
   * The patch kept for a task (strategy `patch`, or the backup before an `auto` merge).
   * @throws AppError TASK_NOT_FOUND, PATCH_NOT_FOUND
   */
  async getPatch(
    taskId: string,
    caller: Caller = SYSTEM_CALLER,
  ): Promise<{ taskId: string; patch: Buffer; baseCommit: string; headCommit: string }> {
    const task = await this.get(taskId, caller);
    const patch = await this.options.store.getPatch(task.id);
    if (!patch) {
      throw new AppError(
        'PATCH_NOT_FOUND',
        `${task.id} has no patch: one is kept for merge strategy patch and before auto merges of completed tasks`,
      );
    }
    return {
      taskId: task.id,
      patch: patch.patch,
      baseCommit: patch.baseCommit,
      headCommit: patch.headCommit,
    };
  }

  /**
   * A page of tasks: a tenant's token sees its tenant's; an admin all, or one tenant's with
   * `tenant` (empty: all).
   */
  async list(
    input: { states: TaskState[]; pageSize: number; pageToken: string; tenant?: string },
    caller: Caller = SYSTEM_CALLER,
  ) {
    const pageSize = input.pageSize === 0 ? LIST_PAGE_SIZE.default : input.pageSize;
    if (pageSize < 1 || pageSize > LIST_PAGE_SIZE.max) {
      throw new AppError('INVALID_ARGUMENT', `page_size: must be between 1 and ${LIST_PAGE_SIZE.max}`, {
        details: { fields: ['page_size'] },
      });
    }
    const wanted = input.tenant ? parseOrThrow(TenantSchema, input.tenant, 'tenant') : undefined;
    return this.options.store.list({
      states: input.states,
      pageSize,
      pageToken: input.pageToken || undefined,
      tenant: caller.admin ? wanted : caller.tenant,
    });
  }

  /**
   * A queued task is cancelled at once; a running one is flagged and its worker told, and it
   * turns `cancelled` when that worker has stopped the agent.
   * @throws AppError TASK_NOT_FOUND, TASK_ALREADY_FINISHED
   */
  async cancel(taskId: string, reason: string, caller: Caller = SYSTEM_CALLER): Promise<Task> {
    const id = parseOrThrow(TaskIdSchema, taskId, 'task_id');
    await this.assertVisible(id, caller);
    const why = reason.trim() || 'cancelled by request';
    const outcome = await this.options.store.cancel(id, why);
    switch (outcome.outcome) {
      case 'missing':
        throw new AppError('TASK_NOT_FOUND', `task ${id} does not exist`);
      case 'already-finished':
        throw new AppError(
          'TASK_ALREADY_FINISHED',
          `task ${id} already finished (${outcome.state}); nothing to cancel`,
          {
            details: { state: outcome.state },
          },
        );
      case 'cancelled':
        // The job may already be locked by a worker; that worker then finds the task cancelled.
        await this.queueOf(id)
          .then((queue) => queue.remove(id))
          .catch(() => 0);
        break;
      case 'requested':
        await publishCancel(this.options.redis, this.options.keys, { taskId: id, reason: why });
        break;
    }
    return this.options.store.getOrThrow(id);
  }

  /**
   * A task's events after `fromOffset` (or its last `tail`, or those since a time), then, with
   * `follow`, live until its final state event. Everything is validated before the first event.
   * Each follow reads on a connection of its own (blocking reads), closed when the watch ends or
   * is abandoned.
   * @throws AppError INVALID_ARGUMENT, TASK_NOT_FOUND, OUT_OF_RANGE (from_offset past the end)
   */
  async *watch(
    taskId: string,
    options: WatchOptions,
    signal: AbortSignal,
    caller: Caller = SYSTEM_CALLER,
  ): AsyncGenerator<TaskEvent> {
    const id = parseOrThrow(TaskIdSchema, taskId, 'task_id');
    // A task's events are its tenant's.
    await this.assertVisible(id, caller);
    const { fromOffset, follow, tail = 0, sinceMs = 0 } = options;
    if (!Number.isInteger(fromOffset) || fromOffset < 0) {
      throw new AppError('INVALID_ARGUMENT', 'from_offset: must be a whole number, 0 or more', {
        details: { fields: ['from_offset'] },
      });
    }
    if (!Number.isInteger(tail) || tail < 0 || tail > WATCH_TAIL_MAX) {
      throw new AppError('INVALID_ARGUMENT', `tail: must be between 1 and ${WATCH_TAIL_MAX}`, {
        details: { fields: ['tail'] },
      });
    }
    if (!Number.isInteger(sinceMs) || sinceMs < 0) {
      throw new AppError('INVALID_ARGUMENT', 'since_ms: must be a time in epoch milliseconds, or 0', {
        details: { fields: ['since_ms'] },
      });
    }
    const last = await lastEventOffset(this.options.redis, this.options.keys, id);
    if (last === undefined) throw new AppError('TASK_NOT_FOUND', `task ${id} does not exist`);
    if (fromOffset > last) {
      throw new AppError(
        'OUT_OF_RANGE',
        `from_offset: ${fromOffset} is past the end of the events of ${id} (its last offset is ${last})`,
        { details: { fields: ['from_offset'], lastOffset: last } },
      );
    }
    const start =
      tail === 0
        ? fromOffset
        : Math.max(fromOffset, await tailStartOffset(this.options.redis, this.options.keys, id, tail));
    const wanted = (event: TaskEvent): boolean => sinceMs === 0 || event.timeMs >= sinceMs;
    if (!follow) {
      for await (const event of this.readAll(id, start)) if (wanted(event)) yield event;
      return;
    }
    const reader = createRedisConnection({
      url: this.options.redisUrl,
      role: 'consumer',
      name: `watch:${id}`,
    });
    reader.on('error', () => undefined);
    const onAbort = (): void => reader.disconnect();
    signal.addEventListener('abort', onAbort, { once: true });
    let offset = start;
    try {
      while (!signal.aborted) {
        const events = await readTaskEvents(reader, this.options.keys, id, offset, {
          blockMs: WATCH_BLOCK_MS,
        });
        for (const event of events) {
          if (wanted(event)) yield event;
          offset = event.offset;
          if (event.type === 'task.state' && isTerminalState(event.data.state)) return;
        }
        if (events.length === 0) {
          // Nothing new: the caller may be past the final event of a task that already ended.
          const task = await this.options.store.getOrThrow(id);
          if (isTerminalState(task.state)) {
            for await (const event of this.readAll(id, offset)) if (wanted(event)) yield event;
            return;
          }
        }
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
      await closeRedis(reader);
    }
  }

  /** Every event kept after an offset, without waiting for more. */
  private async *readAll(taskId: string, fromOffset: number): AsyncGenerator<TaskEvent> {
    let offset = fromOffset;
    for (;;) {
      const events = await readTaskEvents(this.options.redis, this.options.keys, taskId, offset);
      if (events.length === 0) return;
      yield* events;
      offset = events[events.length - 1]?.offset ?? offset;
    }
  }

  /**
   * A new task with the same spec as a finished one, linked to it.
   * @throws AppError TASK_NOT_FOUND, TASK_NOT_FINISHED
   */
  async retry(taskId: string, caller: Caller = SYSTEM_CALLER): Promise<Task> {
    const previous = await this.finishedTask(taskId, 'retry', caller);
    await this.options.verifier.verify(previous.spec);
    return this.createTask(previous.spec, {
      retryOf: previous.id,
      tenant: previous.tenant,
    });
  }

  /**
   * Continues a finished task. When the worker that ran its last attempt is alive (it holds the
   * session transcript and the worktree), the new task is queued for that worker alone and runs
   * `claude --resume <session id>` there. Otherwise it is a new session whose prompt carries the
   * previous attempt's context, starting from the previous task's branch where it can.
   */
  async resume(
    taskId: string,
    additionalContext: string,
    caller: Caller = SYSTEM_CALLER,
  ): Promise<{ task: Task; mode: ResumeMode; explanation: string }> {
    const previous = await this.finishedTask(taskId, 'resume', caller);
    const context = parseOrThrow(ResumeContextSchema, additionalContext, 'additional_context');
    // The policy may have narrowed since the task ran.
    await this.options.verifier.assertAllowed(previous.spec);
    const lastAttempt = previous.attempts.at(-1);
    const sessionId = previous.result?.sessionId || lastAttempt?.sessionId;
    const holder = lastAttempt?.workerId;
    const alive = holder
      ? (await this.options.registry.list()).some(
          // A draining (or dead-listed) worker takes no new task, a resume included.
          (worker) => worker.id === holder && workerCanTake(worker, []),
        )
      : false;
    if (sessionId && holder && alive) {
      const spec = {
        ...withoutDependencies(previous.spec),
        prompt: context.trim() || 'Continue where you left off.',
      };
      const task = await this.createTask(spec, {
        resumedFrom: previous.id,
        resume: { fromTaskId: previous.id, sessionId, workerId: holder },
        tenant: previous.tenant,
      });
      return {
        task,
        mode: 'same_session',
        explanation: `continues session ${sessionId} on worker ${holder}`,
      };
    }
    const why = !sessionId
      ? 'the previous task has no Claude session to resume'
      : `worker ${holder ?? '(unknown)'}, which holds the session transcript, is not alive`;
    // A resumed task does not wait again for what its predecessor waited for.
    const spec = { ...withoutDependencies(previous.spec), prompt: resumePrompt(previous, context) };
    // Build on what the previous task did, when its branch is there to start from. Not for `auto`:
    // its merge must go to the original base branch, not to the previous task's branch.
    if (
      previous.result?.branch &&
      spec.mergeStrategy !== 'auto' &&
      classifyRepository(spec.repository).kind === 'path'
    ) {
      const fromBranch = { ...spec, baseRef: previous.result.branch };
      const usable = await this.options.verifier.verify(fromBranch).then(
        () => true,
        () => false,
      );
      if (usable) spec.baseRef = previous.result.branch;
    }
    const task = await this.createTask(spec, {
      resumedFrom: previous.id,
      tenant: previous.tenant,
    });
    return { task, mode: 'new_session', explanation: `a new session: ${why}` };
  }

  /** The queue a task's job was routed to (the shared queue for tasks written before routing). */
  private async queueOf(taskId: string): Promise<TaskQueue> {
    const { routing, queues, queue } = this.options;
    const [info] = routing ? await routing.routingOf([taskId]) : [];
    if (!info?.queue || !queues || info.queue === queue.name) return queue;
    return queues.get(info.queue);
  }

  async close(): Promise<void> {
    // The queues are the coordinator's (TaskQueues), closed with it.
  }

  private async finishedTask(taskId: string, action: string, caller: Caller): Promise<Task> {
    const task = await this.get(taskId, caller);
    if (!isTerminalState(task.state)) {
      throw new AppError(
        'TASK_NOT_FINISHED',
        `task ${task.id} is ${task.state}; cancel it or wait for it to finish before you ${action} it`,
        {
          details: { state: task.state },
        },
      );
    }
    return task;
  }

  /** Live workers, and dead ones (state `dead`) for a while after their heartbeat lapsed. */
  /** The workers; a tenant's token sees only its own tenant's among their running tasks. */
  async listWorkers(caller: Caller = SYSTEM_CALLER): Promise<ListedWorker[]> {
    const workers = await this.options.registry.listIncludingDead();
    if (caller.admin) return workers;
    return Promise.all(
      workers.map(async (worker) => {
        const tenants = await this.options.store.tenantsOf(worker.runningTaskIds);
        return {
          ...worker,
          runningTaskIds: worker.runningTaskIds.filter((_, i) => tenants[i] === caller.tenant),
        };
      }),
    );
  }

  /**
   * Asks a worker to stop taking new tasks (running ones go on), or with `undo` to take them
   * again. The flag is read by its heartbeat and published so that it acts at once.
   * @throws AppError INVALID_ARGUMENT (no worker_id), WORKER_NOT_FOUND (the registry does not list it)
   */
  async drainWorker(workerId: string, undo: boolean): Promise<ListedWorker> {
    if (workerId === '')
      throw new AppError('INVALID_ARGUMENT', 'worker_id: is required', {
        details: { fields: ['worker_id'] },
      });
    const { registry } = this.options;
    if (!(await registry.get(workerId)))
      throw new AppError('WORKER_NOT_FOUND', `worker ${workerId} is not in the registry`, {
        details: { workerId },
      });
    await registry.requestDrain(workerId, !undo);
    const worker = await registry.get(workerId);
    if (!worker)
      throw new AppError('WORKER_NOT_FOUND', `worker ${workerId} left the registry`, {
        details: { workerId },
      });
    return worker;
  }
}
