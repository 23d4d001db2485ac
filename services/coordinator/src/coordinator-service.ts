import type { Redis } from 'ioredis';
import {
  closeRedis,
  createKeyspace,
  createRedisConnection,
  createTaskQueue,
  ScheduleStore,
  TaskGraph,
  TaskStore,
  waitForRedis,
  WorkerRegistry,
  type TaskQueue,
} from '@claudine/store';
import { createMetricsRegistry, startOpsServer, type Logger, type OpsServer } from '@claudine/observability';
import { WorktreeService } from './cluster/worktree-service';
import type { CoordinatorConfig } from './config';
import { startGrpcServer, type RunningGrpcServer } from './grpc/grpc-server';
import { ScheduleService } from './schedules/schedule-service';
import { DependencyReleaser } from './tasks/dependency-releaser';
import { RepositoryVerifier } from './tasks/repository-verifier';
import { RetentionSweeper } from './tasks/retention-sweeper';
import { TaskService } from './tasks/task-service';

/**
 * One coordinator: stateless (everything lives in Redis), so several can run side by side.
 * Built by `create()`, stopped by `close()`.
 */
export class CoordinatorService {
  private constructor(
    private readonly logger: Logger,
    private readonly redis: Redis,
    private readonly queue: TaskQueue,
    private readonly grpcServer: RunningGrpcServer,
    private readonly opsServer: OpsServer,
    readonly tasks: TaskService,
    readonly retention: RetentionSweeper,
    readonly worktrees: WorktreeService,
    readonly releaser: DependencyReleaser,
    readonly schedules: ScheduleService,
  ) {}

  /** host:port of the gRPC API. */
  get grpcAddress(): string {
    return this.grpcServer.address;
  }

  get metricsUrl(): string {
    return `${this.opsServer.url}/metrics`;
  }

  static async create(config: CoordinatorConfig, logger: Logger): Promise<CoordinatorService> {
    const keys = createKeyspace(config.keyPrefix);
    const redis = createRedisConnection({ url: config.redisUrl, role: 'producer', name: 'coordinator' });
    redis.on('error', (error) => logger.warn({ err: error }, 'redis error'));
    await waitForRedis(redis);
    const queue = createTaskQueue(redis, keys);
    queue.on('error', (error) => logger.warn({ err: error }, 'queue error'));
    await queue.waitUntilReady();
    const store = new TaskStore(redis, keys, { maxEventBytesPerTask: config.taskLogMaxBytes });
    const graph = new TaskGraph(redis, keys, { maxEventBytesPerTask: config.taskLogMaxBytes });
    const releaser = new DependencyReleaser({
      graph,
      queue,
      keys,
      subscriber: createRedisConnection({
        url: config.redisUrl,
        role: 'consumer',
        name: 'coordinator-releaser',
      }),
      logger,
      recheckIntervalMs: config.dependencyRecheckMs,
    });
    const tasks = new TaskService({
      redisUrl: config.redisUrl,
      keys,
      redis,
      store,
      queue,
      registry: new WorkerRegistry(redis, keys),
      graph,
      verifier: new RepositoryVerifier(config.verifyRepositories, {
        roots: config.repositoryRoots,
        urlSchemes: config.repositoryUrlSchemes,
      }),
    });
    const worktrees = new WorktreeService({
      redis,
      keys,
      registry: new WorkerRegistry(redis, keys),
      gcTimeoutMs: config.worktreeGcTimeoutMs,
    });
    const metrics = createMetricsRegistry({ service: 'coordinator' });
    const schedules = new ScheduleService({
      redis,
      keys,
      store: new ScheduleStore(redis, keys),
      tasks,
      logger,
      missGraceMs: config.scheduleMissGraceMs,
      reconcileIntervalMs: config.scheduleReconcileMs,
    });
    await schedules.start();
    const grpcServer = await startGrpcServer({
      ...config.grpc,
      tasks,
      worktrees,
      schedules,
      logger,
      metrics,
    });
    const opsServer = await startOpsServer({
      ...config.metrics,
      registry: metrics,
      extraMetrics: () => queue.exportPrometheusMetrics(),
      readiness: async () => {
        await redis.ping();
      },
    });
    const retention = new RetentionSweeper({ redis, keys, store, logger, retentionMs: config.retentionMs });
    retention.start();
    await releaser.start();
    logger.info({ grpc: grpcServer.address, metrics: `${opsServer.url}/metrics` }, 'coordinator ready');
    return new CoordinatorService(
      logger,
      redis,
      queue,
      grpcServer,
      opsServer,
      tasks,
      retention,
      worktrees,
      releaser,
      schedules,
    );
  }

  async close(): Promise<void> {
    await this.schedules.close();
    await this.releaser.stop();
    await closeRedis(this.releaser.subscriber);
    await this.retention.stop();
    this.worktrees.close();
    await this.grpcServer.close();
    await this.opsServer.close();
    await this.tasks.close();
    await this.queue.close();
    await closeRedis(this.redis);
    this.logger.info('coordinator stopped');
  }
}
