import { newTaskId, TaskSpecSchema } from '@claudine/core';
import { createLogger } from '@claudine/observability';
import {
  closeRedis,
  createKeyspace,
  createRedisConnection,
  NO_AFFINITY_DEADLINE,
  requirementQueueName,
  RoutingStore,
  TASK_QUEUE_NAME,
  TaskQueues,
  TaskStore,
  workerQueueName,
  WorkerRegistry,
  type Keyspace,
} from '@claudine/store';
import { startRedis, type RedisHarness } from '@claudine/testing';
import type { Redis } from 'ioredis';
import { RoutingDuty } from '../src/routing/routing-duty';

const silent = createLogger({ name: 'test', level: 'silent' });

/**
 * The routing duty on its own, one pass at a time, against a real Redis: which tasks it moves off
 * a preferred worker's queue, and the waiting reasons it keeps.
 */
describe('RoutingDuty', () => {
  let harness: RedisHarness;
  let redis: Redis;
  let keys: Keyspace;
  let store: TaskStore;
  let routing: RoutingStore;
  let registry: WorkerRegistry;
  let queues: TaskQueues;
  let duty: RoutingDuty;

  beforeAll(async () => {
    harness = await startRedis();
    redis = createRedisConnection({ url: harness.url, role: 'consumer' });
  });
  afterAll(async () => {
    await closeRedis(redis);
    await harness.stop();
  });
  beforeEach(() => {
    keys = createKeyspace(`${harness.keyPrefix}-${Math.random().toString(16).slice(2, 8)}`);
    store = new TaskStore(redis, keys);
    routing = new RoutingStore(redis, keys);
    registry = new WorkerRegistry(redis, keys);
    queues = new TaskQueues(redis, keys);
    duty = new RoutingDuty({ redis, keys, routing, registry, queues, logger: silent, isLeader: () => true });
  });
  afterEach(async () => {
    await queues.close();
  });

  const beat = (id: string, labels: string[], state: 'running' | 'draining' = 'running') =>
    registry.beat(
      {
        id,
        host: 'h',
        pid: 1,
        capacity: 1,
        runningTaskIds: [],
        version: 't',
        startedAtMs: Date.now(),
        lastHeartbeatMs: Date.now(),
        labels,
        state,
      },
      60_000,
    );

  async function routed(worker: string, deadlineMs: number, requires: string[] = []): Promise<string> {
    const id = newTaskId();
    const spec = TaskSpecSchema.parse({ prompt: 'p', repository: '/srv/repo', requires });
    await store.create(queues.get(workerQueueName(worker)), id, spec, Date.now(), {}, { deadlineMs });
    return id;
  }

  const queueOf = (id: string) => redis.hget(keys.task(id), 'queue');

  it('leaves a task with its live preferred worker until its deadline, then moves it to its fallback', async () => {
    await beat('w1', ['gpu']);
    const waiting = await routed('w1', Date.now() + 60_000);
    const late = await routed('w1', Date.now() - 1, ['gpu']);
    expect((await duty.pass()).moved).toBe(1);
    expect(await queueOf(waiting)).toBe(workerQueueName('w1'));
    expect(await queueOf(late)).toBe(requirementQueueName(['gpu']));
    expect(await queues.get(requirementQueueName(['gpu'])).getJob(late)).toBeDefined();
    expect(await queues.get(workerQueueName('w1')).getJob(late)).toBeUndefined();
    expect((await routing.affinityRouted()).map((entry) => entry.taskId)).toEqual([waiting]);
  });

  it('moves at once what waits for a dead or draining worker, a same-session resume included', async () => {
    await beat('draining', [], 'draining');
    const resume = await routed('gone', NO_AFFINITY_DEADLINE);
    const onDraining = await routed('draining', Date.now() + 60_000);
    expect((await duty.pass()).moved).toBe(2);
    expect(await queueOf(resume)).toBe(TASK_QUEUE_NAME);
    expect(await queueOf(onDraining)).toBe(TASK_QUEUE_NAME);
    expect(await queues.get(TASK_QUEUE_NAME).getJob(resume)).toBeDefined();
  });

  it('moves a task that was running on a worker now dead, for another to take over', async () => {
    await beat('alive', []);
    const onDead = await routed('dead', Date.now() + 60_000);
    const onAlive = await routed('alive', Date.now() - 1);
    await store.startAttempt(
      onDead,
      { workerId: 'dead', startedAtMs: Date.now() },
      Date.now(),
      workerQueueName('dead'),
    );
    await store.startAttempt(
      onAlive,
      { workerId: 'alive', startedAtMs: Date.now() },
      Date.now(),
      workerQueueName('alive'),
    );
    expect((await duty.pass()).moved).toBe(1);
    expect(await queueOf(onDead)).toBe(TASK_QUEUE_NAME);
    expect(await queueOf(onAlive)).toBe(workerQueueName('alive'));
    const takeover = await store.startAttempt(
      onDead,
      { workerId: 'alive', startedAtMs: Date.now() },
      Date.now(),
      TASK_QUEUE_NAME,
    );
    expect(takeover).toEqual({ outcome: 'started', attemptNumber: 2 });
    expect((await store.getOrThrow(onDead)).attempts[0]?.error).toMatch(/^worker lost/);
  });

  it('says why a task no live worker can take waits, and clears it when one appears', async () => {
    const id = newTaskId();
    const spec = TaskSpecSchema.parse({ prompt: 'p', repository: '/srv/repo', requires: ['tpu'] });
    await store.create(queues.get(requirementQueueName(['tpu'])), id, spec);
    await beat('cpu-only', ['cpu']);
    expect(await duty.pass()).toEqual({ moved: 0, waiting: 1, cleared: 0 });
    expect(await duty.pass()).toEqual({ moved: 0, waiting: 0, cleared: 0 });
    expect((await store.getOrThrow(id)).waitingReason).toBe('no live worker has labels: tpu');
    await beat('tpu-worker', ['tpu']);
    expect(await duty.pass()).toEqual({ moved: 0, waiting: 0, cleared: 1 });
    expect((await store.getOrThrow(id)).waitingReason).toBeUndefined();
  });
});
