import { newTaskId, TaskSpecSchema, type Attempt } from '@claudine/core';
import { startRedis, type RedisHarness } from '@claudine/testing';
import type { Redis } from 'ioredis';
import { closeRedis, createRedisConnection } from '../src/connection';
import { createKeyspace, type Keyspace } from '../src/keyspace';
import { readTaskEvents } from '../src/task-events';
import { createTaskQueue, type TaskQueue } from '../src/task-queue';
import { TaskStore } from '../src/task-store';

const spec = TaskSpecSchema.parse({ prompt: 'p', repository: '/srv/repo', priority: 'P1' });

describe('TaskStore', () => {
  let harness: RedisHarness;
  let redis: Redis;
  let keys: Keyspace;
  let store: TaskStore;
  let queue: TaskQueue;

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
    queue = createTaskQueue(redis, keys);
  });
  afterEach(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('creates the record, its indexes, its first event and its job in one transaction', async () => {
    const id = newTaskId();
    await store.create(queue, id, spec, 1000);
    expect(await store.get(id)).toEqual({
      id,
      spec,
      state: 'queued',
      createdAtMs: 1000,
      updatedAtMs: 1000,
      attempts: [],
    });
    expect(await redis.zscore(keys.tasksInState('queued'), id)).toBe('1000');
    const job = await queue.getJob(id);
    expect(job?.opts.priority).toBe(2);
    expect(await readTaskEvents(redis, keys, id, 0)).toEqual([
      { taskId: id, offset: 1, timeMs: 1000, type: 'task.state', data: { state: 'queued' } },
    ]);
  });

  it('runs the state machine: queued → running → completed, once', async () => {
    const id = newTaskId();
    await store.create(queue, id, spec, 1000);
    const started = await store.startAttempt(id, { workerId: 'w1', startedAtMs: 1100 }, 1100);
    expect(started).toEqual({ outcome: 'started', attemptNumber: 1 });
    const attempt: Attempt = {
      number: 1,
      workerId: 'w1',
      startedAtMs: 1100,
      endedAtMs: 1200,
      exitCode: 0,
      outcome: 'completed',
    };
    expect(await store.finishAttempt(id, { state: 'completed', attempt }, 1200)).toBe(true);
    // A second finish (a duplicate delivery) changes nothing.
    expect(
      await store.finishAttempt(id, { state: 'failed', attempt: { ...attempt, outcome: 'failed' } }, 1300),
    ).toBe(false);
    const task = await store.get(id);
    expect(task).toMatchObject({
      state: 'completed',
      startedAtMs: 1100,
      endedAtMs: 1200,
      attempts: [attempt],
    });
    expect(await redis.zscore(keys.tasksInState('running'), id)).toBeNull();
    expect(await redis.zscore(keys.tasksInState('completed'), id)).toBe('1000');
    expect(await store.startAttempt(id, { workerId: 'w2', startedAtMs: 1400 })).toEqual({
      outcome: 'not-runnable',
      state: 'completed',
    });
  });

  it('cancels a queued task at once and flags a running one', async () => {
    const queued = newTaskId();
    const running = newTaskId();
    await store.create(queue, queued, spec);
    await store.create(queue, running, spec);
    await store.startAttempt(running, { workerId: 'w', startedAtMs: Date.now() });

    expect(await store.cancel(queued, 'r1')).toEqual({ outcome: 'cancelled' });
    expect(await store.startAttempt(queued, { workerId: 'w', startedAtMs: 0 })).toEqual({
      outcome: 'not-runnable',
      state: 'cancelled',
    });
    expect(await store.cancel(queued, 'again')).toEqual({ outcome: 'already-finished', state: 'cancelled' });

    expect(await store.cancel(running, 'r2')).toEqual({ outcome: 'requested' });
    expect(await store.cancelRequested([queued, running])).toEqual([running]);
    expect((await store.get(running))?.state).toBe('running');
    expect(await store.cancel(newTaskId(), 'x')).toEqual({ outcome: 'missing' });
  });

  it('pages by a cursor, stable when tasks share a creation time and when new ones arrive', async () => {
    const ids = Array.from({ length: 5 }, () => newTaskId());
    for (const id of ids) await store.create(queue, id, spec, 5000);
    const expected = [...ids].sort().reverse();
    const first = await store.list({ pageSize: 2 });
    await store.create(queue, newTaskId(), spec, 9000);
    const second = await store.list({ pageSize: 2, pageToken: first.nextPageToken });
    const third = await store.list({ pageSize: 2, pageToken: second.nextPageToken });
    expect([...first.tasks, ...second.tasks, ...third.tasks].map((t) => t.id)).toEqual(expected);
    expect(third.nextPageToken).toBe('');
    await expect(store.list({ pageSize: 2, pageToken: 'garbage' })).rejects.toThrow(/page_token/);
  });

  it('numbers appended events and refuses events for unknown tasks', async () => {
    const id = newTaskId();
    await store.create(queue, id, spec);
    expect(
      await store.appendEvents(id, [
        { type: 'agent.text', data: { text: 'a' } },
        { type: 'agent.text', data: { text: 'b' } },
      ]),
    ).toBe(3);
    expect((await readTaskEvents(redis, keys, id, 1)).map((e) => [e.offset, e.data])).toEqual([
      [2, { text: 'a' }],
      [3, { text: 'b' }],
    ]);
    expect(await store.appendEvents(newTaskId(), [{ type: 'agent.text', data: { text: 'x' } }])).toBe(0);
  });
});
