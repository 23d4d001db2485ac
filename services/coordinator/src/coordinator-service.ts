import type { Redis } from 'ioredis';
import {
  AuditLog,
  assertNoEviction,
  closeRedis,
  createKeyspace,
  createRedisConnection,
  createTaskQueue,
  Lease,
  RoutingStore,
  ScheduleStore,
  TaskQueues,
  TaskGraph,
  TaskStore,
  waitForRedis,
  WorkerRegistry,
  type TaskQueue,
} from '@claudine/store';
import {
  createMetricsRegistry,
  startOpsServer,
  startRedisRttProbe,
  type Logger,
  type OpsServer,
} from '@claudine/observability';
import { WorktreeService } from './cluster/worktree-service';
import { RedisClusterReadings } from './metrics/cluster-readings';
import { createCoordinatorMetrics } from './metrics/coordinator-metrics';
import type { CoordinatorConfig } from './config';
import { startGrpcServer, type RunningGrpcServer } from './grpc/grpc-server';
import { mcpServerActingAs } from './mcp/caller-backend';
import { startMcpHttpServer, type RunningMcpHttpServer } from './mcp/mcp-http-server';
import { TokenAuthenticator } from './security/api-tokens';
import { InternalChannel } from './security/internal-channel';
import { ScheduleService } from './schedules/schedule-service';
import { DependencyReleaser } from './tasks/dependency-releaser';
import { RoutingDuty } from './routing/routing-duty';
import { TaskRouter } from './routing/task-router';
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
    /** The coordinator lease: the once-only duties run while `lease.held`. */
    readonly lease: Lease,
    /** Affinity fallback and waiting reasons (labels). */
    readonly routing: RoutingDuty,
    private readonly queues: TaskQueues,
    /** The PING behind claudine_redis_rtt_seconds. */
    private readonly redisRttProbe: { stop(): void },
    /** MCP over HTTP and its way into the gRPC API; absent when CLAUDINE_MCP_PORT is unset. */
    private readonly mcp?: { server: RunningMcpHttpServer; internal: InternalChannel },
  ) {}

  /** host:port of the gRPC API. */
  get grpcAddress(): string {
    return this.grpcServer.address;
  }

  get metricsUrl(): string {
    return `${this.opsServer.url}/metrics`;
  }

  /** `http://host:port/mcp`, or undefined when MCP over HTTP is off (CLAUDINE_MCP_PORT unset). */
  get mcpUrl(): string | undefined {
    return this.mcp?.server.url;
  }

  static async create(config: CoordinatorConfig, logger: Logger): Promise<CoordinatorService> {
    // Bad token configuration fails the start before anything connects.
    const authenticator = TokenAuthenticator.load(config.apiTokens);
    const keys = createKeyspace(config.keyPrefix);
    const redis = createRedisConnection({ url: config.redisUrl, role: 'producer', name: 'coordinator' });
    redis.on('error', (error) => logger.warn({ err: error }, 'redis error'));
    await waitForRedis(redis);
    await assertNoEviction(redis).catch(async (error: unknown) => {
      await closeRedis(redis);
      throw error;
    });
    // The once-only duties run on the lease holder (docs/architecture.md, "Several coordinators and
    // the lease"). Its own connection: a slow command elsewhere must not delay a renewal.
    const leaseConnection = createRedisConnection({
      url: config.redisUrl,
      role: 'producer',
      name: `coordinator-lease:${config.coordinatorId}`,
    });
    leaseConnection.on('error', (error) => logger.debug({ err: error }, 'lease connection error'));
    await waitForRedis(leaseConnection);
    const lease = new Lease({
      redis: leaseConnection,
      key: keys.coordinatorLease,
      holderId: config.coordinatorId,
      ttlMs: config.leaseTtlMs,
      onError: (error) => logger.warn({ err: error }, 'coordinator lease: Redis error'),
    });
    const isLeader = (): boolean => lease.held;
    const queue = createTaskQueue(redis, keys);
    queue.on('error', (error) => logger.warn({ err: error }, 'queue error'));
    await queue.waitUntilReady();
    const store = new TaskStore(redis, keys, { maxEventBytesPerTask: config.taskLogMaxBytes });
    const graph = new TaskGraph(redis, keys, { maxEventBytesPerTask: config.taskLogMaxBytes });
    // Labels and affinity: which queue each task's job goes to, and the duty that moves jobs on.
    const queues = new TaskQueues(redis, keys);
    const routingStore = new RoutingStore(redis, keys, { maxEventBytesPerTask: config.taskLogMaxBytes });
    const router = new TaskRouter({
      registry: new WorkerRegistry(redis, keys),
      routing: routingStore,
      queues,
      affinityWaitMs: config.affinityWaitMs,
    });
    const routing = new RoutingDuty({
      redis,
      keys,
      routing: routingStore,
      registry: new WorkerRegistry(redis, keys),
      queues,
      logger,
      isLeader,
      onMoved: () => coordinatorMetrics.rerouted.inc(),
    });
    const releaser = new DependencyReleaser({
      graph,
      queue,
      router: router.forRelease,
      keys,
      subscriber: createRedisConnection({
        url: config.redisUrl,
        role: 'consumer',
        name: 'coordinator-releaser',
      }),
      logger,
      recheckIntervalMs: config.dependencyRecheckMs,
      isLeader,
    });
    const tasks = new TaskService({
      redisUrl: config.redisUrl,
      keys,
      redis,
      store,
      queue,
      registry: new WorkerRegistry(redis, keys),
      graph,
      router,
      routing: routingStore,
      queues,
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
    const coordinatorMetrics = createCoordinatorMetrics(metrics, {
      cluster: new RedisClusterReadings({ redis, keys, queues, registry: new WorkerRegistry(redis, keys) }),
      leaseHeld: () => lease.held,
      onCollectError: (error) => logger.warn({ err: error }, 'metrics: could not read the cluster state'),
    });
    const schedules = new ScheduleService({
      redis,
      keys,
      store: new ScheduleStore(redis, keys),
      tasks,
      logger,
      missGraceMs: config.scheduleMissGraceMs,
      reconcileIntervalMs: config.scheduleReconcileMs,
      isLeader,
      onFired: (latenessMs) =>
        coordinatorMetrics.scheduleFireLateness.observe(Math.max(0, latenessMs) / 1000),
      workerConnection: createRedisConnection({
        url: config.redisUrl,
        role: 'consumer',
        name: 'coordinator-schedules',
      }),
    });
    await schedules.start();
    const internal = config.mcp ? await InternalChannel.create() : undefined;
    const grpcServer = await startGrpcServer({
      ...config.grpc,
      tasks,
      worktrees,
      schedules,
      logger,
      metrics,
      delegations: coordinatorMetrics.delegations,
      authenticator,
      audit: new AuditLog(redis, keys, { maxEntries: config.auditMaxEntries }),
      tls: config.tls,
      internal,
    });
    const mcpConfig = config.mcp;
    const mcpServer =
      mcpConfig && internal
        ? await startMcpHttpServer({
            ...mcpConfig,
            authenticator,
            logger,
            metrics,
            serverFor: (caller) => mcpServerActingAs(internal, caller, mcpConfig.progressIntervalMs),
          })
        : undefined;
    const opsServer = await startOpsServer({
      ...config.metrics,
      registry: metrics,
      // /metrics wants a bearer token when tokens are configured; the probes stay open.
      authorizeMetrics: (authorization) => authenticator.allows(authorization),
      extraMetrics: () => queue.exportPrometheusMetrics(),
      readiness: async () => {
        await redis.ping();
      },
    });
    const retention = new RetentionSweeper({
      redis,
      keys,
      store,
      logger,
      retentionMs: config.retentionMs,
      isLeader,
    });
    retention.start();
    routing.start();
    await releaser.start();
    const redisRttProbe = startRedisRttProbe({
      ping: () => redis.ping(),
      histogram: coordinatorMetrics.redisRtt,
    });
    lease.on('acquired', () => {
      logger.info({ coordinatorId: config.coordinatorId }, 'holding the coordinator lease');
      // At once rather than at the next tick: what a dead holder left undone.
      void releaser.recheckIfLeader();
      void schedules.reconcileIfLeader();
    });
    lease.on('lost', (reason) => {
      if (reason === 'stopped') logger.info('released the coordinator lease');
      else logger.warn({ reason }, 'lost the coordinator lease: the once-only duties stop here');
    });
    await lease.start();
    logger.info(
      { grpc: grpcServer.address, metrics: `${opsServer.url}/metrics`, mcp: mcpServer?.url },
      'coordinator ready',
    );
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
      lease,
      routing,
      queues,
      redisRttProbe,
      mcpServer && internal ? { server: mcpServer, internal } : undefined,
    );
  }

  async close(): Promise<void> {
    // First, so another coordinator takes the duties over while this one winds down.
    await this.lease.stop();
    await closeRedis(this.lease.connection);
    this.redisRttProbe.stop();
    await this.schedules.close();
    await this.releaser.stop();
    await closeRedis(this.releaser.subscriber);
    await this.retention.stop();
    await this.routing.stop();
    this.worktrees.close();
    // Before gRPC: the MCP requests still open are gRPC clients of this coordinator.
    await this.mcp?.server.close();
    await this.grpcServer.close();
    await this.mcp?.internal.close();
    await this.opsServer.close();
    await this.tasks.close();
    await this.queues.close();
    await this.queue.close();
    await closeRedis(this.redis);
    this.logger.info('coordinator stopped');
  }
}
