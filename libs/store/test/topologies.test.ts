import { AppError, newTaskId, TaskSpecSchema } from '@claudine/core';
import {
  startRedisCluster,
  startRedisSentinel,
  type RedisClusterHarness,
  type RedisSentinelHarness,
} from '@claudine/testing';
import { Redis } from 'ioredis';
import {
  assertNoEviction,
  closeRedis,
  createRedisConnection,
  isClusterConnection,
  waitForRedis,
} from '../src/connection';
import { createKeyspace } from '../src/keyspace';
import { Lease } from '../src/lease';
import { TaskGraph } from '../src/task-graph';
import { createTaskQueue } from '../src/task-queue';
import { TaskStore } from '../src/task-store';

const spec = TaskSpecSchema.parse({ prompt: 'p', repository: '/srv/repo' });

/** The store's multi-key work (task + dependency scripts, the queue, the lease) on one topology. */
async function exerciseStore(url: string, keyPrefix: string): Promise<void> {
  const redis = createRedisConnection({ url, role: 'consumer', name: 'topology-test' });
  const keys = createKeyspace(keyPrefix);
  const queue = createTaskQueue(redis, keys);
  try {
    await waitForRedis(redis);
    await assertNoEviction(redis);
    const store = new TaskStore(redis, keys);
    const graph = new TaskGraph(redis, keys);
    const first = newTaskId();
    await store.create(queue, first, spec);
    const second = newTaskId();
    expect(await graph.create(second, TaskSpecSchema.parse({ ...spec, dependsOn: [first] }))).toEqual({
      outcome: 'blocked',
      remaining: 1,
    });
    const started = await store.startAttempt(first, { workerId: 'w', startedAtMs: Date.now() });
    expect(started.outcome).toBe('started');
    await store.finishAttempt(first, {
      state: 'completed',
      attempt: { number: 1, workerId: 'w', startedAtMs: Date.now(), outcome: 'completed' },
    });
    expect(await graph.readyTaskIds()).toEqual([second]);
    expect(await graph.release(queue, [second])).toEqual([second]);
    expect((await store.getOrThrow(second)).state).toBe('queued');
    expect((await queue.getJob(second))?.data).toEqual({ taskId: second });

    const lease = new Lease({ redis, key: keys.coordinatorLease, holderId: 'one', ttlMs: 1_000 });
    await lease.start();
    expect(lease.held).toBe(true);
    await lease.stop();
    expect(await redis.exists(keys.coordinatorLease)).toBe(0);
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await closeRedis(redis);
  }
}

describe('Redis Sentinel', () => {
  let sentinel: RedisSentinelHarness;
  beforeAll(async () => {
    sentinel = await startRedisSentinel();
  }, 30_000);
  afterAll(async () => {
    await sentinel?.stop();
  });

  it('connects to the master Sentinel names, and runs the store on it', async () => {
    await exerciseStore(sentinel.url, sentinel.keyPrefix);
  });

  it('refuses a master whose maxmemory-policy is not noeviction, naming the policy and the fix', async () => {
    const master = new Redis(sentinel.masterUrl);
    const redis = createRedisConnection({ url: sentinel.url, role: 'producer' });
    try {
      await master.config('SET', 'maxmemory-policy', 'allkeys-lru');
      await waitForRedis(redis);
      const error = await assertNoEviction(redis).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(AppError.is(error, 'REDIS_MISCONFIGURED')).toBe(true);
      expect((error as AppError).message).toMatch(/maxmemory-policy is allkeys-lru.*noeviction/);
    } finally {
      await master.config('SET', 'maxmemory-policy', 'noeviction');
      await closeRedis(redis);
      await closeRedis(master);
    }
  });
});

describe('Redis Cluster', () => {
  let cluster: RedisClusterHarness;
  beforeAll(async () => {
    cluster = await startRedisCluster({ password: 'cluster-secret' });
  }, 30_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('connects as a Cluster and runs the store in the prefix hash-tag slot', async () => {
    const redis = createRedisConnection({ url: cluster.url, role: 'producer' });
    await waitForRedis(redis);
    expect(isClusterConnection(redis)).toBe(true);
    await closeRedis(redis);
    await exerciseStore(cluster.url, cluster.keyPrefix);
  });

  it('checks every master for noeviction, naming the node at fault', async () => {
    const node = cluster.nodes[2]!;
    const direct = new Redis({ ...node, password: 'cluster-secret' });
    const redis = createRedisConnection({ url: cluster.url, role: 'producer' });
    try {
      await direct.config('SET', 'maxmemory-policy', 'volatile-lru');
      await waitForRedis(redis);
      await expect(assertNoEviction(redis)).rejects.toThrow(
        new RegExp(`maxmemory-policy is volatile-lru on 127\\.0\\.0\\.1:${node.port}`),
      );
    } finally {
      await direct.config('SET', 'maxmemory-policy', 'noeviction');
      await closeRedis(redis);
      await closeRedis(direct);
    }
  });
});
