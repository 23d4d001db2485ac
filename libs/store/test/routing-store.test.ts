import { newTaskId, TaskSpecSchema } from '@claudine/core';
import type { Redis } from 'ioredis';
import type { Keyspace } from '../src/keyspace';
import { RoutingStore } from '../src/routing-store';
import { TASK_QUEUE_NAME, workerQueueName } from '../src/task-queue';
import { NO_AFFINITY_DEADLINE, requirementQueueName, TaskQueues } from '../src/task-routing';
import { TaskStore } from '../src/task-store';
import { freshKeyspace, useStoreRedis } from './support/store-redis';

const spec = TaskSpecSchema.parse({
  prompt: 'p',
  repository: '/srv/repo',
  requires: ['gpu'],
  affinity: 'cache',
});

describe('routing in the store', () => {
  const db = useStoreRedis();
  let redis: Redis;
  let keys: Keyspace;
  let store: TaskStore;
  let routing: RoutingStore;
  let queues: TaskQueues;

  beforeEach(() => {
    redis = db.redis;
    keys = freshKeyspace(db);
    store = new TaskStore(redis, keys);
    routing = new RoutingStore(redis, keys);
    queues = new TaskQueues(redis, keys);
  });
  afterEach(async () => {
    for (const name of [TASK_QUEUE_NAME, workerQueueName('w1'), requirementQueueName(['gpu'])])
      await queues.get(name).obliterate({ force: true });
    await queues.close();
  });

  it('records the route with the task: its queue, its requirement set, its fallback deadline', async () => {
    const id = newTaskId();
    await store.create(queues.get(workerQueueName('w1')), id, spec, 1000, {}, { deadlineMs: 5000 });
    expect(await redis.hget(keys.task(id), 'queue')).toBe(workerQueueName('w1'));
    expect(await redis.hgetall(keys.requirementSets)).toEqual({ [requirementQueueName(['gpu'])]: '["gpu"]' });
    expect(await routing.affinityRouted()).toEqual([{ taskId: id, deadlineMs: 5000 }]);
    expect(await queues.get(workerQueueName('w1')).getJob(id)).toBeDefined();
  });

  it('refuses a start from a queue the task was moved away from, and starts it from the new one', async () => {
    const id = newTaskId();
    const from = workerQueueName('w1');
    const to = requirementQueueName(['gpu']);
    await store.create(queues.get(from), id, spec, 1000, {}, { deadlineMs: NO_AFFINITY_DEADLINE });
    expect(await routing.reroute({ taskId: id, from, to, reason: 'test' })).toBe('rerouted');
    // A second mover (or a stale one) loses the compare-and-set.
    expect(await routing.reroute({ taskId: id, from, to: TASK_QUEUE_NAME, reason: 'test' })).toBe('moved');
    expect(await store.startAttempt(id, { workerId: 'w1', startedAtMs: 2000 }, 2000, from)).toEqual({
      outcome: 'rerouted',
    });
    const started = await store.startAttempt(id, { workerId: 'w2', startedAtMs: 2100 }, 2100, to);
    expect(started).toEqual({ outcome: 'started', attemptNumber: 1 });
    // The worker that started a task with an affinity key is remembered for the key.
    expect(await routing.affinityWorker('cache')).toBe('w2');
    expect(await routing.lastAttemptWorker(id)).toBe('w2');
  });

  it('does not move a task that started, unless it runs an attempt of the dead worker named', async () => {
    const id = newTaskId();
    const from = workerQueueName('w1');
    await store.create(queues.get(from), id, spec, 1000, {}, { deadlineMs: 1 });
    await store.startAttempt(id, { workerId: 'w1', startedAtMs: 2000 }, 2000, from);
    expect(await routing.reroute({ taskId: id, from, to: TASK_QUEUE_NAME, reason: 'late' })).toBe('running');
    expect(
      await routing.reroute({ taskId: id, from, to: TASK_QUEUE_NAME, reason: 'dead', deadWorkerId: 'w9' }),
    ).toBe('running');
    expect(
      await routing.reroute({ taskId: id, from, to: TASK_QUEUE_NAME, reason: 'dead', deadWorkerId: 'w1' }),
    ).toBe('rerouted');
  });

  it('sets a waiting reason once, with one event, and drops it when the task leaves the queue', async () => {
    const id = newTaskId();
    await store.create(queues.get(requirementQueueName(['gpu'])), id, spec, 1000);
    expect(await routing.setWaitingReason(id, 'no live worker has labels: gpu')).toBe(true);
    expect(await routing.setWaitingReason(id, 'no live worker has labels: gpu')).toBe(false);
    expect((await store.get(id))?.waitingReason).toBe('no live worker has labels: gpu');
    expect(await routing.waitingTaskIds()).toEqual([id]);
    await store.startAttempt(id, { workerId: 'w2', startedAtMs: 2000 }, 2000);
    // Shown only while queued; the next pass cleans it up.
    expect((await store.get(id))?.waitingReason).toBeUndefined();
    expect(await routing.setWaitingReason(id, '')).toBe(false);
    expect(await routing.waitingTaskIds()).toEqual([]);
  });
});
