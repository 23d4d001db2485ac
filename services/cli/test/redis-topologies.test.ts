import path from 'node:path';
import type { CoordinatorService } from '@claudine/coordinator';
import { AppError, isTerminalState, type Task } from '@claudine/core';
import { closeRedis, createKeyspace, createRedisConnection, TaskStore, waitForRedis } from '@claudine/store';
import {
  createGitRepository,
  createTempDir,
  startRedis,
  startRedisCluster,
  startRedisSentinel,
  waitFor,
  type GitFixture,
  type RedisHarness,
  type TempDir,
} from '@claudine/testing';
import type { WorkerService } from '@claudine/worker';
import { Redis } from 'ioredis';
import { ClusterClient } from '../src/client/cluster-client';
import { startTestCoordinator, startTestWorker } from './support/in-process-cluster';

/**
 * A coordinator and a worker (in this process) on Redis Sentinel and on a Redis Cluster, each
 * running a task and a dependent task to completion with a stand-in agent; and the startup check
 * that refuses a Redis that may evict keys.
 */
const AGENT = path.join(__dirname, 'fixtures', 'agent-leaves-a-trace.sh');
const CLUSTER_PASSWORD = 'cluster-secret';

interface Topology {
  name: string;
  start(): Promise<RedisHarness>;
  /** The Redis variables the services get (REDIS_URL is cleared when these name another form). */
  env(harness: RedisHarness): Record<string, string>;
}

const topologies: Topology[] = [
  {
    name: 'Sentinel (REDIS_SENTINELS + REDIS_SENTINEL_MASTER)',
    start: () => startRedisSentinel(),
    env: (harness) => {
      const sentinel = harness as Awaited<ReturnType<typeof startRedisSentinel>>;
      return {
        REDIS_URL: '',
        REDIS_SENTINELS: sentinel.sentinels.map(({ host, port }) => `${host}:${port}`).join(','),
        REDIS_SENTINEL_MASTER: sentinel.masterName,
      };
    },
  },
  {
    name: 'Cluster (REDIS_CLUSTER_NODES + REDIS_PASSWORD)',
    start: () => startRedisCluster({ password: CLUSTER_PASSWORD }),
    env: (harness) => {
      const cluster = harness as Awaited<ReturnType<typeof startRedisCluster>>;
      return {
        REDIS_URL: '',
        REDIS_CLUSTER_NODES: cluster.nodes.map(({ host, port }) => `${host}:${port}`).join(','),
        REDIS_PASSWORD: CLUSTER_PASSWORD,
      };
    },
  },
];

describe.each(topologies)('on Redis $name', (topology) => {
  let harness: RedisHarness;
  let connection: Redis;
  let store: TaskStore;
  let repo: GitFixture;
  let dataDir: TempDir;
  let coordinator: CoordinatorService;
  let worker: WorkerService;
  let client: ClusterClient;

  beforeAll(async () => {
    harness = await topology.start();
    const env = topology.env(harness);
    connection = createRedisConnection({ url: harness.url, role: 'consumer' });
    await waitForRedis(connection);
    store = new TaskStore(connection, createKeyspace(harness.keyPrefix));
    repo = await createGitRepository({ files: { 'README.md': '# topologies\n' } });
    dataDir = await createTempDir('claudine-topology-');
    coordinator = await startTestCoordinator(harness, env);
    worker = await startTestWorker(harness, {
      id: 'topology-worker',
      dataDir: dataDir.path,
      agent: AGENT,
      env,
    });
    client = ClusterClient.connect(coordinator.grpcAddress);
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await worker?.close();
    await coordinator?.close();
    await closeRedis(connection);
    await repo?.remove();
    await dataDir?.remove();
    await harness?.stop();
  }, 60_000);

  function ended(taskId: string): Promise<Task> {
    return waitFor(
      async () => {
        const task = await store.get(taskId);
        return task && isTerminalState(task.state) ? task : undefined;
      },
      { timeoutMs: 30_000, description: `task ${taskId} to end` },
    );
  }

  it('runs a task and a task depending on it to completion, with the lease held', async () => {
    const first = await client.delegate({ prompt: 'first', repository: repo.path });
    const second = await client.delegate({ prompt: 'second', repository: repo.path, dependsOn: [first.id] });
    expect(['blocked', 'queued']).toContain(second.state);
    expect((await ended(first.id)).state).toBe('completed');
    const done = await ended(second.id);
    expect(done.state).toBe('completed');
    expect(done.dependencies).toEqual([{ taskId: first.id, state: 'completed' }]);
    expect(coordinator.lease.held).toBe(true);
  });
});

describe('startup refuses a Redis that may evict keys', () => {
  let harness: RedisHarness;
  let admin: Redis;
  let dataDir: TempDir;

  beforeAll(async () => {
    harness = await startRedis();
    admin = new Redis(harness.url);
    dataDir = await createTempDir('claudine-eviction-');
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
  });

  afterAll(async () => {
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await closeRedis(admin);
    await dataDir.remove();
    await harness.stop();
  });

  const refusal = (start: Promise<unknown>): Promise<unknown> =>
    start.then(
      (service) => {
        void (service as { close(): Promise<void> }).close();
        return undefined;
      },
      (error: unknown) => error,
    );

  it('the coordinator names the policy and the fix', async () => {
    const error = await refusal(startTestCoordinator(harness));
    expect(AppError.is(error, 'REDIS_MISCONFIGURED')).toBe(true);
    expect((error as Error).message).toMatch(
      /maxmemory-policy is allkeys-lru: Claudine needs noeviction.*maxmemory-policy noeviction/,
    );
  });

  it('the worker too', async () => {
    const error = await refusal(
      startTestWorker(harness, { id: 'eviction-worker', dataDir: dataDir.path, agent: AGENT }),
    );
    expect(AppError.is(error, 'REDIS_MISCONFIGURED')).toBe(true);
    expect((error as Error).message).toMatch(/allkeys-lru/);
  });
});
