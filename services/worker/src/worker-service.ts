import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WaitingError, Worker, type Job, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import { Counter, Gauge } from 'prom-client';
import {
  closeRedis,
  createKeyspace,
  createRedisConnection,
  subscribeToCancels,
  TASK_QUEUE_NAME,
  TaskStore,
  workerQueueName,
  waitForRedis,
  WorkerRegistry,
  type TaskJobData,
} from '@claudine/store';
import { createMetricsRegistry, startOpsServer, type Logger, type OpsServer } from '@claudine/observability';
import type { WorkerConfig } from './config';
import type { AgentExecutor } from './execution/agent-executor';
import { ClaudeCodeExecutor } from './execution/claude-code-executor';
import { TaskRunner } from './processing/task-runner';
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

export type WorkerServiceState = 'starting' | 'running' | 'stopping' | 'stopped';

export interface WorkerServiceDependencies {
  config: WorkerConfig;
  logger: Logger;
  /** Defaults to Claude Code as configured. */
  executor?: AgentExecutor;
}

/**
 * One worker process: takes tasks from the queue up to its capacity, runs them, heartbeats into
 * the registry, and stops the agents it holds when a cancellation reaches it.
 */
export class WorkerService {
  state: WorkerServiceState = 'starting';

  private constructor(
    private readonly config: WorkerConfig,
    private readonly logger: Logger,
    private readonly connections: Redis[],
    private readonly bullWorkers: Worker<TaskJobData, void>[],
    private readonly runner: TaskRunner,
    private readonly registry: WorkerRegistry,
    private readonly store: TaskStore,
    private readonly stopCancelSubscription: () => Promise<void>,
    private readonly opsServer: OpsServer,
    private readonly startedAtMs: number,
  ) {}

  get metricsUrl(): string {
    return `${this.opsServer.url}/metrics`;
  }

  get id(): string {
    return this.config.workerId;
  }

  static async create({ config, logger, executor }: WorkerServiceDependencies): Promise<WorkerService> {
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

    const store = new TaskStore(commands, keys, { maxEventBytesPerTask: config.taskLogMaxBytes });
    const registry = new WorkerRegistry(commands, keys);
    const metrics = createMetricsRegistry({ service: 'worker', worker_id: config.workerId });
    const finished = new Counter({
      name: 'claudine_worker_tasks_finished_total',
      help: 'Tasks this worker finished, by final state.',
      labelNames: ['state'],
      registers: [metrics],
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
      onFinished: (_taskId, state) => finished.inc({ state }),
    });
    new Gauge({
      name: 'claudine_worker_running_tasks',
      help: 'Tasks running on this worker now.',
      registers: [metrics],
      collect() {
        this.set(runner.runningTaskIds.length);
      },
    });
    new Gauge({
      name: 'claudine_worker_capacity',
      help: 'Tasks this worker runs at once at most.',
      registers: [metrics],
    }).set(config.capacity);

    const stopCancelSubscription = await subscribeToCancels(subscriber, keys, ({ taskId, reason }) => {
      if (runner.stop(taskId, 'cancelled')) logger.info({ taskId, reason }, 'cancelling task on request');
    });

    // Kept worktrees: collected on a timer and on request, their inventory published in Redis.
    const worktreeGc = new WorktreeJanitor({
      workerId: config.workerId,
      collector: new WorktreeCollector({ dataDir: config.dataDir, worktrees, logger }),
      commands,
      subscriber,
      keys,
      logger,
      limits: config.worktreeGc.limits,
      intervalMs: config.worktreeGc.intervalMs,
      inventoryTtlMs: config.heartbeatIntervalMs * 3,
    });

    // The processor needs the service, which needs the processor's worker: a late-bound reference.
    const self: { service?: WorkerService } = {};
    const processor: Processor<TaskJobData, void> = async (job, token) => {
      const attemptsLeft = job.attemptsMade + 1 < (job.opts.attempts ?? 1);
      const decision = await runner.run(job.data.taskId, { attemptsLeft });
      // Its worktree was kept or removed: the inventory changed.
      worktreeGc.refresh();
      switch (decision.kind) {
        case 'done':
          return;
        case 'retry':
          // BullMQ counts the attempt and schedules the next one with exponential backoff.
          throw new Error(decision.reason);
        case 'requeue':
          if (decision.pauseUntilMs !== undefined) self.service?.pauseUntil(decision.pauseUntilMs);
          // Back to the queue without spending an attempt.
          await job.moveToWait(token);
          throw new WaitingError();
      }
    };
    // The shared queue, and this worker's own (tasks that must run here: resumed sessions).
    const bullWorkers = [TASK_QUEUE_NAME, workerQueueName(config.workerId)].map(
      (queueName) =>
        new Worker<TaskJobData, void>(queueName, processor, {
          connection: bullConnection,
          prefix: keys.bullPrefix,
          concurrency: config.capacity,
          autorun: false,
          ...config.locks,
        }),
    );
    for (const bullWorker of bullWorkers) {
      bullWorker.on('error', (error) => logger.error({ err: error }, 'queue worker error'));
      bullWorker.on('failed', (job, error) => {
        if (job) void settleFailedJob(job, error, store, logger);
      });
    }

    const opsServer = await startOpsServer({
      host: config.metrics.host,
      port: config.metrics.port,
      registry: metrics,
      readiness: async () => {
        // Ready once it takes tasks, not merely once Redis answers.
        if (self.service?.state !== 'running')
          throw new Error(`worker is ${self.service?.state ?? 'starting'}`);
        await commands.ping();
      },
    });

    self.service = new WorkerService(
      config,
      logger,
      connections,
      bullWorkers,
      runner,
      registry,
      store,
      stopCancelSubscription,
      opsServer,
      Date.now(),
    );
    const created = self.service;
    created.worktreeGc = worktreeGc;
    await worktreeGc.start();
    await created.beat();
    created.heartbeatTimer = setInterval(() => void created.beat(), config.heartbeatIntervalMs);
    for (const bullWorker of bullWorkers) void bullWorker.run();
    await Promise.all(bullWorkers.map((bullWorker) => bullWorker.waitUntilReady()));
    created.state = 'running';
    logger.info(
      {
        workerId: config.workerId,
        capacity: config.capacity,
        metrics: created.metricsUrl,
        dataDir: config.dataDir,
      },
      'worker ready',
    );
    return created;
  }

  private heartbeatTimer: NodeJS.Timeout | undefined;
  private worktreeGc: WorktreeJanitor | undefined;
  private pausedUntilMs: number | undefined;
  private resumeTimer: NodeJS.Timeout | undefined;

  /**
   * Stops taking new tasks until the given time (the API rate-limited this worker's agents).
   * Running tasks go on. The pause shows in the registry.
   */
  pauseUntil(untilMs: number): void {
    if (this.state !== 'running' || (this.pausedUntilMs ?? 0) >= untilMs) return;
    this.pausedUntilMs = untilMs;
    this.logger.warn({ until: new Date(untilMs).toISOString() }, 'rate limited: pausing new starts');
    for (const bullWorker of this.bullWorkers) void bullWorker.pause(true);
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(
      () => {
        this.pausedUntilMs = undefined;
        if (this.state === 'running') for (const bullWorker of this.bullWorkers) void bullWorker.resume();
        void this.beat();
      },
      Math.max(0, untilMs - Date.now()),
    );
    void this.beat();
  }

  /** Writes the heartbeat and, as a safety net for a lost pub/sub message, polls cancel flags. */
  private async beat(): Promise<void> {
    const running = this.runner.runningTaskIds;
    try {
      await this.registry.beat(
        {
          id: this.config.workerId,
          host: os.hostname(),
          pid: process.pid,
          capacity: this.config.capacity,
          runningTaskIds: running,
          version: VERSION,
          startedAtMs: this.startedAtMs,
          lastHeartbeatMs: Date.now(),
          pausedUntilMs: this.pausedUntilMs,
        },
        this.config.heartbeatIntervalMs * 3,
      );
      for (const taskId of await this.store.cancelRequested(running)) this.runner.stop(taskId, 'cancelled');
      await this.worktreeGc?.touch();
    } catch (error) {
      this.logger.warn({ err: error }, 'heartbeat failed');
    }
  }

  /** Stops the agents it runs, lets their outcome be recorded, leaves the registry, closes. */
  async close(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.runner.stopAll('shutdown');
    await Promise.all(this.bullWorkers.map((bullWorker) => bullWorker.close()));
    await this.stopCancelSubscription().catch(() => undefined);
    await this.worktreeGc?.stop();
    await this.registry.remove(this.config.workerId).catch(() => undefined);
    await this.opsServer.close();
    await Promise.all(this.connections.map((connection) => closeRedis(connection)));
    this.state = 'stopped';
    this.logger.info('worker stopped');
  }
}

/**
 * A job BullMQ failed for good (its stall limit passed, or its processor broke) while the task
 * was still open: record the failure, so that no task stays `running` or `queued` forever.
 */
async function settleFailedJob(
  job: Job<TaskJobData, void>,
  error: Error,
  store: TaskStore,
  logger: Logger,
): Promise<void> {
  try {
    if (!(await job.isFailed())) return;
    const task = await store.get(job.data.taskId);
    if (!task || task.state === 'completed' || task.state === 'failed' || task.state === 'cancelled') return;
    const last = task.attempts.at(-1);
    const attempt = last ?? { number: 0, workerId: 'unknown', startedAtMs: Date.now() };
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
    });
  } catch (settleError) {
    logger.error({ err: settleError, taskId: job.data.taskId }, 'could not record a failed job');
  }
}
