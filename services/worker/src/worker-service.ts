import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { Counter, Gauge } from 'prom-client';
import {
  closeRedis,
  createKeyspace,
  createRedisConnection,
  subscribeToCancels,
  TASK_QUEUE_NAME,
  TaskStore,
  waitForRedis,
  WorkerRegistry,
  type TaskJobData,
} from '@claudine/store';
import { createMetricsRegistry, startOpsServer, type Logger, type OpsServer } from '@claudine/observability';
import type { WorkerConfig } from './config';
import type { AgentExecutor } from './execution/agent-executor';
import { ClaudeCodeExecutor } from './execution/claude-code-executor';
import { TaskRunner } from './processing/task-runner';
import { WorktreeManager } from './workspace/worktree-manager';

/** This package's version, reported in the registry. */
const VERSION = (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

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
    private readonly bullWorker: Worker<TaskJobData, void>,
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

    const store = new TaskStore(commands, keys);
    const registry = new WorkerRegistry(commands, keys);
    const metrics = createMetricsRegistry({ service: 'worker', worker_id: config.workerId });
    const finished = new Counter({
      name: 'claudine_worker_tasks_finished_total',
      help: 'Tasks this worker finished, by final state.',
      labelNames: ['state'],
      registers: [metrics],
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
        }),
      worktrees: new WorktreeManager({
        dataDir: config.dataDir,
        authorName: config.gitAuthor.name,
        authorEmail: config.gitAuthor.email,
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

    const bullWorker = new Worker<TaskJobData, void>(
      TASK_QUEUE_NAME,
      async (job) => {
        await runner.run(job.data.taskId);
      },
      { connection: bullConnection, prefix: keys.bullPrefix, concurrency: config.capacity, autorun: false },
    );
    bullWorker.on('error', (error) => logger.error({ err: error }, 'queue worker error'));
    bullWorker.on('failed', (job, error) =>
      logger.error({ err: error, taskId: job?.data.taskId }, 'task job failed'),
    );

    const opsServer = await startOpsServer({
      host: config.metrics.host,
      port: config.metrics.port,
      registry: metrics,
      readiness: async () => {
        await commands.ping();
      },
    });

    const service = new WorkerService(
      config,
      logger,
      connections,
      bullWorker,
      runner,
      registry,
      store,
      stopCancelSubscription,
      opsServer,
      Date.now(),
    );
    await service.beat();
    service.heartbeatTimer = setInterval(() => void service.beat(), config.heartbeatIntervalMs);
    void bullWorker.run();
    await bullWorker.waitUntilReady();
    service.state = 'running';
    logger.info(
      {
        workerId: config.workerId,
        capacity: config.capacity,
        metrics: service.metricsUrl,
        dataDir: config.dataDir,
      },
      'worker ready',
    );
    return service;
  }

  private heartbeatTimer: NodeJS.Timeout | undefined;

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
        },
        this.config.heartbeatIntervalMs * 3,
      );
      for (const taskId of await this.store.cancelRequested(running)) this.runner.stop(taskId, 'cancelled');
    } catch (error) {
      this.logger.warn({ err: error }, 'heartbeat failed');
    }
  }

  /** Stops the agents it runs, lets their outcome be recorded, leaves the registry, closes. */
  async close(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.runner.stopAll('shutdown');
    await this.bullWorker.close();
    await this.stopCancelSubscription().catch(() => undefined);
    await this.registry.remove(this.config.workerId).catch(() => undefined);
    await this.opsServer.close();
    await Promise.all(this.connections.map((connection) => closeRedis(connection)));
    this.state = 'stopped';
    this.logger.info('worker stopped');
  }
}
