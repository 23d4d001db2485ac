import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WaitingError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  closeRedis,
  createKeyspace,
  createRedisConnection,
  subscribeToCancels,
  subscribeToDrains,
  TASK_QUEUE_NAME,
  TaskStore,
  workerQueueName,
  waitForRedis,
  WorkerRegistry,
  assertNoEviction,
  type TaskJobData,
  type WorkerState,
} from '@claudine/store';
import {
  bearerTokenAuthorizer,
  createMetricsRegistry,
  startOpsServer,
  startRedisRttProbe,
  type Logger,
  type OpsServer,
} from '@claudine/observability';
import { CapacityController, type MachineReadings } from './capacity/capacity-controller';
import type { WorkerConfig } from './config';
import type { AgentExecutor } from './execution/agent-executor';
import { ClaudeCodeExecutor } from './execution/claude-code-executor';
import { createWorkerMetrics } from './metrics/worker-metrics';
import { QueueConsumers } from './processing/queue-consumers';
import { TaskRunner } from './processing/task-runner';
import { RequirementQueueWatcher } from './routing/requirement-queue-watcher';
import { MergeBack } from './workspace/merge-back';
import { RepositorySetup } from './workspace/repository-setup';
import { WorktreeCollector, WorktreeJanitor } from './workspace/worktree-collector';
import { WorktreeManager } from './workspace/worktree-manager';

/** This package's version, reported in the registry. */
const VERSION = (
  JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;

/** Variables every agent gets: a headless worker has no use for auto-updates or telemetry. */
export const AGENT_FIXED_ENV: Record<string, string> = {
  DISABLE_AUTOUPDATER: '1',
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
};

/**
 * `running`: takes tasks (unless full, drained on request or rate-limited); `draining`: a
 * SIGTERM drain is under way (takes nothing, lets its tasks finish); then `stopping`, `stopped`.
 */
export type WorkerServiceState = 'starting' | 'running' | 'draining' | 'stopping' | 'stopped';

export interface WorkerServiceDependencies {
  config: WorkerConfig;
  logger: Logger;
  /** Defaults to Claude Code as configured. */
  executor?: AgentExecutor;
  /** Reads the machine for the capacity controller; injectable for tests. */
  readMachine?: () => MachineReadings;
}

/** What create() builds before the service exists. */
interface WorkerServiceParts {
  config: WorkerConfig;
  logger: Logger;
  connections: Redis[];
  runner: TaskRunner;
  registry: WorkerRegistry;
  store: TaskStore;
  capacity: CapacityController;
  opsServer: OpsServer;
  /** The PING behind claudine_redis_rtt_seconds. */
  redisRttProbe: { stop(): void };
}

/**
 * One worker process: takes tasks from its queues up to its capacity (which follows its
 * machine's load and memory), runs them, heartbeats into the registry, stops the agents it holds
 * when a cancellation reaches it, and fences itself off from tasks it no longer holds.
 */
export class WorkerService {
  state: WorkerServiceState = 'starting';

  private readonly config: WorkerConfig;
  private readonly logger: Logger;
  private readonly connections: Redis[];
  private readonly runner: TaskRunner;
  private readonly registry: WorkerRegistry;
  private readonly store: TaskStore;
  private readonly capacity: CapacityController;
  private readonly opsServer: OpsServer;
  private readonly redisRttProbe: { stop(): void };
  private readonly startedAtMs = Date.now();
  private consumers!: QueueConsumers;
  private stopSubscriptions: (() => Promise<void>)[] = [];
  private worktreeGc: WorktreeJanitor | undefined;
  /** Adds the requirement queues its labels serve (routing/queue-selection.ts). */
  private queueWatcher: RequirementQueueWatcher | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private pausedUntilMs: number | undefined;
  private resumeTimer: NodeJS.Timeout | undefined;
  private spawnTimer: NodeJS.Timeout | undefined;
  private drainRequested = false;
  /** Jobs holding a slot of the capacity gate (counted from admission, before the attempt is claimed). */
  private slotsInUse = 0;
  private slotsFreed: (() => void)[] = [];
  /** The last time Redis answered: a heartbeat written, or the queue locks renewed. */
  private lastRedisOkMs = Date.now();
  /** BullMQ job (queue/id) → task id, for the jobs running here: lock renewal failures name jobs. */
  private readonly jobTasks = new Map<string, string>();

  private constructor(parts: WorkerServiceParts) {
    this.config = parts.config;
    this.logger = parts.logger;
    this.connections = parts.connections;
    this.runner = parts.runner;
    this.registry = parts.registry;
    this.store = parts.store;
    this.capacity = parts.capacity;
    this.opsServer = parts.opsServer;
    this.redisRttProbe = parts.redisRttProbe;
  }

  get metricsUrl(): string {
    return `${this.opsServer.url}/metrics`;
  }

  get id(): string {
    return this.config.workerId;
  }

  /** The BullMQ queues this worker consumes now. */
  get queueNames(): string[] {
    return this.consumers.queueNames;
  }

  static async create({
    config,
    logger: rootLogger,
    executor,
    readMachine,
  }: WorkerServiceDependencies): Promise<WorkerService> {
    // Every line of this worker names it (and the runner adds taskId and attempt to task lines).
    const logger = rootLogger.child({ workerId: config.workerId });
    const keys = createKeyspace(config.keyPrefix);
    const commands = createRedisConnection({
      url: config.redisUrl,
      role: 'consumer',
      name: `worker:${config.workerId}`,
    });
    const subscriber = createRedisConnection({
      url: config.redisUrl,
      role: 'consumer',
      name: `worker-sub:${config.workerId}`,
    });
    const bullConnection = createRedisConnection({
      url: config.redisUrl,
      role: 'consumer',
      name: `worker-bull:${config.workerId}`,
    });
    const connections = [commands, subscriber, bullConnection];
    for (const connection of connections)
      connection.on('error', (error) => logger.warn({ err: error }, 'redis error'));
    await Promise.all(connections.map((connection) => waitForRedis(connection)));
    try {
      await assertNoEviction(commands);
    } catch (error) {
      await Promise.all(connections.map((connection) => closeRedis(connection)));
      throw error;
    }

    const store = new TaskStore(commands, keys, { maxEventBytesPerTask: config.taskLogMaxBytes });
    const registry = new WorkerRegistry(commands, keys);
    const metrics = createMetricsRegistry({ service: 'worker', worker_id: config.workerId });
    // The gauges read the runner and the capacity controller, built below.
    const sources: { runner?: TaskRunner; capacity?: CapacityController } = {};
    const workerMetrics = createWorkerMetrics(metrics, {
      runningTasks: () => sources.runner?.runningTaskIds.length ?? 0,
      capacity: () => sources.capacity?.capacity ?? 0,
      maxCapacity: config.capacity,
    });
    const worktrees = new WorktreeManager({
      dataDir: config.dataDir,
      repositoryRoots: config.repositoryRoots,
      repositoryUrlSchemes: config.repositoryUrlSchemes,
      authorName: config.gitAuthor.name,
      authorEmail: config.gitAuthor.email,
    });
    const runner = new TaskRunner({
      workerId: config.workerId,
      store,
      executor:
        executor ??
        new ClaudeCodeExecutor({
          command: config.agent.command,
          permissionMode: config.agent.permissionMode,
          allowedPermissionModes: config.agent.allowedPermissionModes,
          allowedTools: config.agent.allowedTools,
          envAllowlist: config.agent.envAllowlist,
          envFixed: AGENT_FIXED_ENV,
          sandboxed: config.agent.sandboxed,
          credentialsFile: config.agent.credentialsFile,
          killGraceMs: config.agent.killGraceMs,
          cancelGraceMs: config.agent.cancelGraceMs,
        }),
      worktrees,
      mergeBack: new MergeBack({
        dataDir: config.dataDir,
        authorName: config.gitAuthor.name,
        authorEmail: config.gitAuthor.email,
        ghCommand: config.ghCommand,
        savePatch: (taskId, patch) => store.savePatch(taskId, patch),
        exclusive: (repositoryPath, action) => worktrees.exclusive(repositoryPath, action),
        maxStoredPatchBytes: config.patchMaxBytes,
      }),
      setup: new RepositorySetup({
        commands: config.setup.commands,
        timeoutMs: config.setup.timeoutMs,
        killGraceMs: config.agent.killGraceMs,
        cancelGraceMs: config.agent.cancelGraceMs,
        envAllowlist: config.agent.envAllowlist,
      }),
      runsDir: path.join(config.dataDir, 'runs'),
      logger,
      metrics: workerMetrics,
    });
    const capacity = new CapacityController({
      maxCapacity: config.capacity,
      ...config.resources,
      readMachine,
    });
    sources.runner = runner;
    sources.capacity = capacity;

    // The readiness probe needs the service, which needs the ops server: a late-bound reference.
    const self: { service?: WorkerService } = {};
    const opsServer = await startOpsServer({
      host: config.metrics.host,
      port: config.metrics.port,
      registry: metrics,
      authorizeMetrics:
        config.metrics.token === undefined ? undefined : bearerTokenAuthorizer(config.metrics.token),
      readiness: async () => {
        // Ready once it takes tasks, not merely once Redis answers.
        if (self.service?.state !== 'running')
          throw new Error(`worker is ${self.service?.state ?? 'starting'}`);
        await commands.ping();
      },
    });

    const service = new WorkerService({
      config,
      logger,
      connections,
      runner,
      registry,
      store,
      capacity,
      opsServer,
      redisRttProbe: startRedisRttProbe({ ping: () => commands.ping(), histogram: workerMetrics.redisRtt }),
    });
    self.service = service;

    // Kept worktrees: collected on a timer and on request, their inventory published in Redis.
    service.worktreeGc = new WorktreeJanitor({
      workerId: config.workerId,
      collector: new WorktreeCollector({ dataDir: config.dataDir, worktrees, logger }),
      commands,
      subscriber,
      keys,
      logger,
      limits: config.worktreeGc.limits,
      intervalMs: config.worktreeGc.intervalMs,
      inventoryTtlMs: Math.max(config.heartbeatIntervalMs * 3, config.deadAfterMs),
    });

    service.consumers = new QueueConsumers({
      connection: bullConnection,
      prefix: keys.bullPrefix,
      // Any one queue may fill the whole capacity; the gate in the processor holds the total.
      concurrency: config.capacity,
      ...config.locks,
      processor: (job, token) => service.process(job, token),
      logger,
      onFailed: (job, error) => void settleFailedJob(job, error, store, logger),
      onLockRenewalFailed: (queueName, jobIds) => service.lockRenewalFailed(queueName, jobIds),
      onLocksRenewed: () => {
        service.lastRedisOkMs = Date.now();
      },
    });

    service.stopSubscriptions.push(
      await subscribeToCancels(subscriber, keys, ({ taskId, reason }) => {
        const attempt = runner.attemptOf(taskId);
        if (runner.stop(taskId, 'cancelled'))
          logger.info({ taskId, attempt, reason }, 'cancelling task on request');
      }),
      await subscribeToDrains(subscriber, keys, ({ workerId, drain }) => {
        if (workerId === config.workerId) service.setDrainRequested(drain);
      }),
    );

    await service.worktreeGc.start();
    // The shared queue, this worker's own (resumed sessions, affinity), and the requirement queues
    // its labels serve, kept up to date as coordinators announce new requirement sets.
    await service.consumers.setQueues([TASK_QUEUE_NAME, workerQueueName(config.workerId)]);
    const queueWatcher = new RequirementQueueWatcher({
      workerId: config.workerId,
      labels: config.labels,
      commands,
      subscriber,
      keys,
      logger,
      onQueues: (names) => service.setQueues(names),
    });
    service.queueWatcher = queueWatcher;
    service.stopSubscriptions.push(() => queueWatcher.stop());
    await queueWatcher.start();
    service.state = 'running';
    await service.beatNow();
    service.heartbeatTimer = setInterval(() => service.tick(), config.heartbeatIntervalMs);
    service.updateFetching();
    logger.info(
      {
        capacity: capacity.capacity,
        maxCapacity: config.capacity,
        labels: config.labels,
        metrics: service.metricsUrl,
        dataDir: config.dataDir,
      },
      'worker ready',
    );
    return service;
  }

  /**
   * Consumes exactly these BullMQ queues from now on (the shared one, its own, and any others
   * the routing asks for), all behind the one capacity gate.
   */
  async setQueues(names: readonly string[]): Promise<void> {
    await this.consumers.setQueues(names);
  }

  /**
   * Stops taking new tasks until the given time (the API rate-limited this worker's agents).
   * Running tasks go on. The pause shows in the registry.
   */
  pauseUntil(untilMs: number): void {
    if (this.state !== 'running' || (this.pausedUntilMs ?? 0) >= untilMs) return;
    this.pausedUntilMs = untilMs;
    this.logger.warn({ until: new Date(untilMs).toISOString() }, 'rate limited: pausing new starts');
    this.updateFetching();
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(
      () => {
        this.pausedUntilMs = undefined;
        this.updateFetching();
        void this.beatNow();
      },
      Math.max(0, untilMs - Date.now()),
    );
    void this.beatNow();
  }

  /** A drain was requested (DrainWorker) or taken back: takes no new tasks while it stands. */
  setDrainRequested(requested: boolean): void {
    if (requested === this.drainRequested) return;
    this.drainRequested = requested;
    this.logger.info(
      { drain: requested },
      requested ? 'drain requested: taking no new tasks' : 'drain undone',
    );
    this.updateFetching();
    if (this.state === 'running') void this.beatNow();
  }

  /** The registry's view of this worker. */
  private get registryState(): WorkerState {
    if (this.state !== 'running' || this.drainRequested) return 'draining';
    if (this.pausedUntilMs !== undefined) return 'paused';
    return 'running';
  }

  /** Whether it should fetch new jobs now: taking tasks at all, and a slot free. */
  private updateFetching(): void {
    if (this.spawnTimer) {
      clearTimeout(this.spawnTimer);
      this.spawnTimer = undefined;
    }
    const taking = this.state === 'running' && !this.drainRequested && this.pausedUntilMs === undefined;
    const admission = this.capacity.admit(this.slotsInUse);
    this.consumers.setFetching(taking && admission.admitted);
    // Only the spawn interval stands in the way: look again once it has passed.
    if (taking && !admission.admitted && admission.retryInMs !== undefined) {
      this.spawnTimer = setTimeout(() => this.updateFetching(), admission.retryInMs);
    }
  }

  /**
   * The one processor of every queue. It first takes a slot of the capacity gate; a job that
   * arrives when none is free (fetches already in flight when the gate closed, or a drain) goes
   * back to its queue without spending an attempt, for this or another worker to take.
   */
  private async process(job: Job<TaskJobData, void>, token: string | undefined): Promise<void> {
    if (token === undefined) throw new Error('a job without a lock token');
    if (!this.takeSlot()) {
      await job.moveToWait(token);
      throw new WaitingError();
    }
    const jobKey = `${job.queueName}/${job.id ?? ''}`;
    this.jobTasks.set(jobKey, job.data.taskId);
    try {
      await this.runJob(job, token);
    } finally {
      this.jobTasks.delete(jobKey);
      this.releaseSlot();
    }
  }

  private async runJob(job: Job<TaskJobData, void>, token: string): Promise<void> {
    const attemptsLeft = job.attemptsMade + 1 < (job.opts.attempts ?? 1);
    const lockDuration = this.config.locks.lockDuration;
    const decision = await this.runner.run(job.data.taskId, {
      attemptsLeft,
      // A job moved to another queue (affinity fallback) must not start from this one.
      queueName: job.queueName,
      // Before merging: still this worker's job, with a full lock for the merge to run under.
      stillOwner: async () => {
        try {
          return Number(await job.extendLock(token, lockDuration)) === 1;
        } catch (error) {
          this.logger.warn(
            { err: error, taskId: job.data.taskId, attempt: this.runner.attemptOf(job.data.taskId) },
            'could not extend the job lock',
          );
          return false;
        }
      },
    });
    // Its worktree was kept or removed: the inventory changed.
    this.worktreeGc?.refresh();
    switch (decision.kind) {
      case 'done':
        return;
      case 'retry':
        // BullMQ counts the attempt and schedules the next one with exponential backoff.
        throw new Error(decision.reason);
      case 'requeue':
        if (decision.pauseUntilMs !== undefined) this.pauseUntil(decision.pauseUntilMs);
        // Back to the queue without spending an attempt.
        await job.moveToWait(token);
        throw new WaitingError();
      case 'fenced':
        // The job is another worker's now (or will be, once the stalled check finds its lock
        // gone): leave it alone. A WaitingError ends the processing without touching it.
        throw new WaitingError();
    }
  }

  private takeSlot(): boolean {
    const taking = this.state === 'running' && !this.drainRequested && this.pausedUntilMs === undefined;
    if (!taking || !this.capacity.admit(this.slotsInUse).admitted) {
      this.updateFetching();
      return false;
    }
    this.slotsInUse++;
    this.capacity.recordStart();
    this.updateFetching();
    return true;
  }

  private releaseSlot(): void {
    this.slotsInUse--;
    if (this.slotsInUse === 0) for (const resolve of this.slotsFreed.splice(0)) resolve();
    this.updateFetching();
  }

  /** BullMQ could not renew these jobs' locks: another worker may take them; stop them now. */
  private lockRenewalFailed(queueName: string, jobIds: string[]): void {
    for (const jobId of jobIds) {
      const taskId = this.jobTasks.get(`${queueName}/${jobId}`);
      const attempt = taskId ? this.runner.attemptOf(taskId) : null;
      if (taskId && this.runner.fence(taskId, 'the queue lock could not be renewed')) {
        this.logger.warn({ taskId, attempt, queue: queueName }, 'lost the job lock: task fenced');
      }
    }
  }

  /**
   * Every heartbeat interval: self-fencing first (it must not wait for Redis), then the beat
   * itself, unless the previous one is still waiting for Redis.
   */
  private tick(): void {
    const silentMs = Date.now() - this.lastRedisOkMs;
    if (silentMs > this.config.locks.lockDuration && this.runner.runningTaskIds.length > 0) {
      // Cut off for longer than a lock lasts: the locks are gone and the tasks may run elsewhere
      // already. Stop the agents; once Redis is back, nothing is reported for them.
      const fenced = this.runner.fenceAll(
        `Redis unreachable for ${silentMs} ms (lock ${this.config.locks.lockDuration} ms)`,
      );
      if (fenced.length > 0)
        this.logger.error({ taskIds: fenced, silentMs }, 'self-fencing: Redis unreachable past the lock');
    }
    void this.beatNow();
  }

  /**
   * Writes a heartbeat now, unless one is already on its way (then that one is awaited: one write
   * at a time, so that close() can wait for the last one before it leaves the registry).
   */
  private beatNow(): Promise<void> {
    this.beating ??= this.beat().finally(() => {
      this.beating = undefined;
    });
    return this.beating;
  }

  /**
   * Re-evaluates the capacity, writes the heartbeat (reading the drain flag back), and, as a
   * safety net for lost pub/sub messages, polls cancel flags; then checks that every running
   * task is still this worker's.
   */
  private async beat(): Promise<void> {
    // Once closing, no beat may re-create the entry that close() removes.
    if (this.state === 'stopping' || this.state === 'stopped') return;
    const running = this.runner.runningTaskIds;
    const capacity = this.capacity.evaluate(this.slotsInUse);
    this.updateFetching();
    const machine = this.capacity.readings;
    try {
      const { drainRequested } = await this.registry.beat(
        {
          id: this.config.workerId,
          host: os.hostname(),
          pid: process.pid,
          capacity,
          maxCapacity: this.config.capacity,
          runningTaskIds: running,
          version: VERSION,
          startedAtMs: this.startedAtMs,
          lastHeartbeatMs: Date.now(),
          pausedUntilMs: this.pausedUntilMs,
          labels: this.config.labels,
          state: this.registryState,
          load1: machine.load1,
          cpus: machine.cpus,
          freeMemoryBytes: machine.freeMemoryBytes,
        },
        this.config.deadAfterMs,
      );
      this.lastRedisOkMs = Date.now();
      this.setDrainRequested(drainRequested);
      for (const taskId of await this.store.cancelRequested(running)) this.runner.stop(taskId, 'cancelled');
      await this.runner.checkOwnership();
      await this.worktreeGc?.touch();
      // A requirement set announced while the notice was lost.
      await this.queueWatcher?.refresh();
    } catch (error) {
      this.logger.warn({ err: error }, 'heartbeat failed');
    }
  }

  /**
   * Graceful drain (SIGTERM): takes no new tasks (the registry shows `draining`), lets the running
   * ones finish for up to `timeoutMs`, then stops the rest, which go back to the queue without
   * spending an attempt; then leaves the registry and closes.
   */
  async drain(timeoutMs: number): Promise<void> {
    if (this.state !== 'running') return this.close();
    this.state = 'draining';
    this.updateFetching();
    this.logger.info({ running: this.runner.runningTaskIds, timeoutMs }, 'draining');
    // A beat already on its way may carry the old state: then one more.
    await this.beating;
    await this.beatNow();
    const finished = await this.slotsFree(timeoutMs);
    if (!finished) {
      this.logger.warn({ running: this.runner.runningTaskIds }, 'drain timeout: handing the rest back');
    }
    await this.close();
  }

  /** Resolves true once no job holds a slot, or false after `timeoutMs`. */
  private slotsFree(timeoutMs: number): Promise<boolean> {
    if (this.slotsInUse === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.slotsFreed.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Stops the agents it runs, lets their outcome be recorded, leaves the registry, closes. */
  async close(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    if (this.spawnTimer) clearTimeout(this.spawnTimer);
    this.consumers.setFetching(false);
    this.runner.stopAll('shutdown');
    await this.consumers.close();
    // The last beat must land before the entry is removed, or it would come back as a ghost;
    // bounded, for a Redis that does not answer.
    await withTimeout(this.beating, this.config.deadAfterMs);
    for (const stop of this.stopSubscriptions) await stop().catch(() => undefined);
    await this.worktreeGc?.stop();
    await this.registry.remove(this.config.workerId).catch(() => undefined);
    await this.opsServer.close();
    this.redisRttProbe.stop();
    await Promise.all(this.connections.map((connection) => closeRedis(connection)));
    this.state = 'stopped';
    this.logger.info('worker stopped');
  }
}

/** Resolves when `promise` settles or after `ms`, whichever comes first; never rejects. */
async function withTimeout(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!promise) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * A job BullMQ failed for good (its stall limit passed, or its processor broke) while the task
 * was still open: record the failure, so that no task stays `running` or `queued` forever. The
 * queue settles it, not the attempt's holder: unfenced.
 */
async function settleFailedJob(
  job: Job<TaskJobData, void>,
  error: Error,
  store: TaskStore,
  logger: Logger,
): Promise<void> {
  let attemptNumber: number | null = null;
  try {
    if (!(await job.isFailed())) return;
    const task = await store.get(job.data.taskId);
    if (!task || task.state === 'completed' || task.state === 'failed' || task.state === 'cancelled') return;
    const last = task.attempts.at(-1);
    const attempt = last ?? { number: 0, workerId: 'unknown', startedAtMs: Date.now() };
    attemptNumber = last?.number ?? null;
    await store.finishAttempt(task.id, {
      state: 'failed',
      attempt: {
        ...attempt,
        endedAtMs: attempt.endedAtMs ?? Date.now(),
        outcome: 'failed',
        error: error.message,
      },
      error: { code: 'WORKER_LOST', message: `the queue gave the task up: ${error.message}` },
      reason: 'WORKER_LOST',
      fenced: false,
    });
  } catch (settleError) {
    logger.error(
      { err: settleError, taskId: job.data.taskId, attempt: attemptNumber },
      'could not record a failed job',
    );
  }
}
