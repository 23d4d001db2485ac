import * as grpc from '@grpc/grpc-js';
import type { Redis } from 'ioredis';
import { createLogger } from '@claudine/observability';
import { loadClaudineApi, type ClusterServiceClient } from '@claudine/proto';
import {
  closeRedis,
  createKeyspace,
  createRedisConnection,
  replyToWorktreeGc,
  subscribeToWorktreeGc,
  WorkerRegistry,
  writeWorktreeInventory,
  type Keyspace,
  type ParsedWorktreeGcRequest,
  type WorktreeRecord,
} from '@claudine/store';
import { startRedis, type RedisHarness } from '@claudine/testing';
import { loadConfig } from '../src/config';
import { CoordinatorService } from '../src/coordinator-service';

/** The response type of a unary method (its callback's value). */
type ResponseOf<M extends keyof ClusterServiceClient> = ClusterServiceClient[M] extends (
  argument: never,
  callback: (error: grpc.ServiceError | null, value?: infer R) => void,
) => unknown
  ? R
  : never;
type ListWorktreesResponse__Output = ResponseOf<'ListWorktrees'>;
type CollectWorktreesResponse__Output = ResponseOf<'CollectWorktrees'>;

/**
 * The coordinator's side of worktree collection, against workers that speak the Redis protocol
 * (heartbeat, inventory, gc channel and reply list) the way the worker does; the real worker is
 * exercised end to end in services/cli/test/worktrees.test.ts.
 */
describe('coordinator: ListWorktrees and CollectWorktrees', () => {
  let redisHarness: RedisHarness;
  let redis: Redis;
  let subscriber: Redis;
  let keys: Keyspace;
  let registry: WorkerRegistry;
  let coordinator: CoordinatorService;
  let cluster: ClusterServiceClient;
  let stopAnswering: (() => Promise<void>) | undefined;
  /** Requests the answering worker received. */
  let received: ParsedWorktreeGcRequest[];

  const record = (taskId: string, overrides: Partial<WorktreeRecord> = {}): WorktreeRecord => ({
    taskId,
    path: `/data/worktrees/${taskId}`,
    repository: '/repos/demo',
    branch: `claudine/${taskId}`,
    sizeBytes: 1234,
    modifiedAtMs: 1_700_000_000_000,
    inUse: false,
    ...overrides,
  });

  async function beat(workerId: string): Promise<void> {
    await registry.beat(
      {
        id: workerId,
        host: 'test',
        pid: 1,
        capacity: 1,
        runningTaskIds: [],
        version: '0.0.0',
        startedAtMs: Date.now(),
        lastHeartbeatMs: Date.now(),
      },
      60_000,
    );
  }

  /** A worker that answers every request meant for it, removing one worktree. */
  async function answerAs(workerId: string): Promise<void> {
    stopAnswering = await subscribeToWorktreeGc(
      subscriber,
      keys,
      (request) => {
        if (request.workerId !== undefined && request.workerId !== workerId) return;
        received.push(request);
        void replyToWorktreeGc(redis, keys, request.requestId, {
          workerId,
          removed: [record('task-old')],
          kept: 2,
          freedBytes: 1234,
        });
      },
      () => undefined,
    );
  }

  beforeAll(async () => {
    redisHarness = await startRedis();
    redis = createRedisConnection({ url: redisHarness.url, role: 'consumer' });
    subscriber = createRedisConnection({ url: redisHarness.url, role: 'consumer' });
  });

  afterAll(async () => {
    await closeRedis(subscriber);
    await closeRedis(redis);
    await redisHarness.stop();
  });

  beforeEach(async () => {
    keys = createKeyspace(`${redisHarness.keyPrefix}-${Math.random().toString(16).slice(2, 8)}`);
    registry = new WorkerRegistry(redis, keys);
    received = [];
    coordinator = await CoordinatorService.create(
      loadConfig({
        REDIS_URL: redisHarness.url,
        CLAUDINE_KEY_PREFIX: keys.prefix,
        CLAUDINE_GRPC_PORT: '0',
        CLAUDINE_WORKTREE_GC_TIMEOUT_MS: '1000',
        LOG_LEVEL: 'silent',
      }),
      createLogger({ name: 'coordinator', level: 'silent' }),
    );
    cluster = new (loadClaudineApi().proto.claudine.v1.ClusterService)(
      coordinator.grpcAddress,
      grpc.credentials.createInsecure(),
    );
  });

  afterEach(async () => {
    await stopAnswering?.();
    stopAnswering = undefined;
    cluster.close();
    await coordinator.close();
  });

  const listWorktrees = (workerId = ''): Promise<ListWorktreesResponse__Output> =>
    new Promise((resolve, reject) =>
      cluster.ListWorktrees({ workerId }, (error, response) => (error ? reject(error) : resolve(response!))),
    );
  const collectWorktrees = (
    request: Parameters<ClusterServiceClient['CollectWorktrees']>[0],
  ): Promise<CollectWorktreesResponse__Output> =>
    new Promise((resolve, reject) =>
      cluster.CollectWorktrees(request, (error, response) => (error ? reject(error) : resolve(response!))),
    );
  const refusal = (promise: Promise<unknown>): Promise<grpc.ServiceError | undefined> =>
    promise.then(
      () => undefined,
      (error: grpc.ServiceError) => error,
    );

  it("lists the live workers' worktrees, and the live workers without an inventory", async () => {
    await beat('worker-a');
    await beat('worker-b');
    await writeWorktreeInventory(
      redis,
      keys,
      {
        workerId: 'worker-a',
        updatedAtMs: Date.now(),
        worktrees: [record('task-1'), record('task-2', { inUse: true })],
      },
      60_000,
    );
    // A dead worker's inventory (no heartbeat) is not shown.
    await writeWorktreeInventory(
      redis,
      keys,
      { workerId: 'worker-gone', updatedAtMs: Date.now(), worktrees: [record('task-3')] },
      60_000,
    );

    const all = await listWorktrees();
    expect(all.worktrees).toEqual([
      {
        workerId: 'worker-a',
        taskId: 'task-1',
        path: '/data/worktrees/task-1',
        repository: '/repos/demo',
        branch: 'claudine/task-1',
        sizeBytes: 1234,
        modifiedAtMs: 1_700_000_000_000,
        inUse: false,
      },
      expect.objectContaining({ workerId: 'worker-a', taskId: 'task-2', inUse: true }),
    ]);
    expect(all.workersWithoutInventory).toEqual(['worker-b']);

    const one = await listWorktrees('worker-b');
    expect(one).toEqual({ worktrees: [], workersWithoutInventory: ['worker-b'] });
  });

  it('refuses to list the worktrees of a worker that is not live, naming worker_id', async () => {
    const error = await refusal(listWorktrees('no-such-worker'));
    expect(error?.code).toBe(grpc.status.NOT_FOUND);
    expect(error?.details).toMatch(/^worker_id: no live worker "no-such-worker"/);
    expect(error?.metadata.get('claudine-error-code')).toEqual(['WORKER_NOT_FOUND']);
  });

  it('collects on every live worker, reporting one that does not answer within the deadline', async () => {
    await beat('worker-a');
    await beat('worker-b');
    await answerAs('worker-a');

    const response = await collectWorktrees({ maxAgeMs: 1, maxCount: 3, maxTotalBytes: 4096, dryRun: true });

    expect(received).toEqual([
      { requestId: expect.any(String), maxAgeMs: 1, maxCount: 3, maxTotalBytes: 4096, dryRun: true },
    ]);
    expect(response.workers).toEqual([
      {
        workerId: 'worker-a',
        removed: [expect.objectContaining({ workerId: 'worker-a', taskId: 'task-old', sizeBytes: 1234 })],
        kept: 2,
        freedBytes: 1234,
        error: '',
      },
      { workerId: 'worker-b', removed: [], kept: 0, freedBytes: 0, error: 'did not answer within 1s' },
    ]);
    // The answers do not outlive the request by long.
    const ttl = await redis.ttl(keys.worktreeGcReplies(received[0]!.requestId));
    expect(ttl === -2 || (ttl > 0 && ttl <= 60)).toBe(true);
  });

  it('asks only the named worker, leaving limits it was not given to the worker', async () => {
    await beat('worker-a');
    await beat('worker-b');
    await answerAs('worker-a');

    const response = await collectWorktrees({ workerId: 'worker-a' });

    expect(received).toEqual([{ requestId: expect.any(String), workerId: 'worker-a', dryRun: false }]);
    expect(response.workers.map((worker) => worker.workerId)).toEqual(['worker-a']);
    expect(response.workers[0]?.error).toBe('');
  });

  it('answers at once when there is no live worker', async () => {
    expect(await collectWorktrees({})).toEqual({ workers: [] });
  });

  it.each([
    ['max_age_ms', { maxAgeMs: -1 }],
    ['max_total_bytes', { maxTotalBytes: -5 }],
  ])('refuses a negative %s with INVALID_ARGUMENT naming it, asking no worker', async (field, limits) => {
    await beat('worker-a');
    await answerAs('worker-a');
    const error = await refusal(collectWorktrees(limits));
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(new RegExp(`^${field}: `));
    expect(received).toEqual([]);
  });

  it('refuses to collect on a worker that is not live, naming worker_id', async () => {
    await beat('worker-a');
    const error = await refusal(collectWorktrees({ workerId: 'worker-z' }));
    expect(error?.code).toBe(grpc.status.NOT_FOUND);
    expect(error?.details).toMatch(/^worker_id: /);
    expect(error?.metadata.get('claudine-error-code')).toEqual(['WORKER_NOT_FOUND']);
  });
});
