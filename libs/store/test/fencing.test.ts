import { newTaskId, TaskSpecSchema, type Attempt } from '@claudine/core';
import type { Redis } from 'ioredis';
import type { Keyspace } from '../src/keyspace';
import { readTaskEvents } from '../src/task-events';
import { createTaskQueue, type TaskQueue } from '../src/task-queue';
import { TaskStore } from '../src/task-store';
import { freshKeyspace, useStoreRedis } from './support/store-redis';

const spec = TaskSpecSchema.parse({ prompt: 'p', repository: '/srv/repo' });

/**
 * Fencing: only the worker holding a task's current attempt may write to it. A worker that lost
 * its lock (its task was taken over: a new attempt by another worker) is refused, and its
 * writes change nothing.
 */
describe('TaskStore fencing', () => {
  const db = useStoreRedis();
  let redis: Redis;
  let keys: Keyspace;
  let store: TaskStore;
  let queue: TaskQueue;

  beforeEach(() => {
    redis = db.redis;
    keys = freshKeyspace(db);
    store = new TaskStore(redis, keys);
    queue = createTaskQueue(redis, keys);
  });
  afterEach(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });

  /** A task whose attempt 1 (w1) was taken over by w2 (attempt 2), as a stalled job is. */
  async function takenOver(): Promise<string> {
    const id = newTaskId();
    await store.create(queue, id, spec, 1000);
    expect(await store.startAttempt(id, { workerId: 'w1', startedAtMs: 1100 }, 1100)).toEqual({
      outcome: 'started',
      attemptNumber: 1,
    });
    expect(await store.startAttempt(id, { workerId: 'w2', startedAtMs: 1200 }, 1200)).toEqual({
      outcome: 'started',
      attemptNumber: 2,
    });
    return id;
  }

  const firstAttempt: Attempt = { number: 1, workerId: 'w1', startedAtMs: 1100 };

  it('refuses the finish of a superseded attempt and leaves the task as it was', async () => {
    const id = await takenOver();
    const before = await store.getOrThrow(id);
    const eventsBefore = await readTaskEvents(redis, keys, id, 0);

    expect(
      await store.tryFinishAttempt(id, {
        state: 'completed',
        attempt: { ...firstAttempt, endedAtMs: 1300, outcome: 'completed' },
        result: {
          text: 'stale',
          sessionId: 's',
          costUsd: 0,
          usage: { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
          numTurns: 1,
          durationMs: 1,
          branch: 'b',
          commit: 'c',
          changedFiles: [],
        },
      }),
    ).toBe('fenced');

    const after = await store.getOrThrow(id);
    expect(after).toEqual(before);
    expect(after.state).toBe('running');
    expect(after.result).toBeUndefined();
    expect(after.attempts).toEqual([
      expect.objectContaining({
        number: 1,
        workerId: 'w1',
        outcome: 'failed',
        error: expect.stringMatching(/^worker lost/),
      }),
      { number: 2, workerId: 'w2', startedAtMs: 1200 },
    ]);
    expect(await readTaskEvents(redis, keys, id, 0)).toEqual(eventsBefore);
    expect(await redis.zscore(keys.tasksInState('running'), id)).not.toBeNull();
    expect(await redis.zscore(keys.tasksInState('completed'), id)).toBeNull();

    // The holder of attempt 2 finishes as usual.
    expect(
      await store.tryFinishAttempt(id, {
        state: 'completed',
        attempt: { number: 2, workerId: 'w2', startedAtMs: 1200, outcome: 'completed' },
      }),
    ).toBe('finished');
    // And w1, coming back later still, finds the task gone from under it.
    expect(
      await store.tryFinishAttempt(id, {
        state: 'failed',
        attempt: { ...firstAttempt, outcome: 'failed' },
      }),
    ).toBe('fenced');
    expect((await store.getOrThrow(id)).state).toBe('completed');
  });

  it('refuses a requeue, an attempt update and events from the superseded worker', async () => {
    const id = await takenOver();
    expect(
      await store.tryRequeueAttempt(id, { ...firstAttempt, outcome: 'failed' }, 'handed back: shutdown'),
    ).toBe('fenced');
    expect(await store.updateAttempt(id, { ...firstAttempt, agentStartedAtMs: 1150 })).toBe(false);
    const offsetBefore = (await readTaskEvents(redis, keys, id, 0)).length;
    expect(
      await store.appendEvents(id, [{ type: 'agent.text', data: { text: 'stale' } }], 1300, {
        workerId: 'w1',
        attemptNumber: 1,
      }),
    ).toBe(-1);
    expect(await readTaskEvents(redis, keys, id, 0)).toHaveLength(offsetBefore);
    expect(await store.holdsAttempt(id, { workerId: 'w1', attemptNumber: 1 })).toBe(false);

    // The current holder's writes go through.
    expect(await store.holdsAttempt(id, { workerId: 'w2', attemptNumber: 2 })).toBe(true);
    expect(
      await store.appendEvents(id, [{ type: 'agent.text', data: { text: 'fresh' } }], 1300, {
        workerId: 'w2',
        attemptNumber: 2,
      }),
    ).toBe(offsetBefore + 1);
    expect(
      await store.updateAttempt(id, { number: 2, workerId: 'w2', startedAtMs: 1200, agentStartedAtMs: 1250 }),
    ).toBe(true);
    expect(
      await store.tryRequeueAttempt(
        id,
        { number: 2, workerId: 'w2', startedAtMs: 1200, outcome: 'failed' },
        'handed back: shutdown',
      ),
    ).toBe('requeued');
    const task = await store.getOrThrow(id);
    expect(task.state).toBe('queued');
    expect(task.attempts[1]).toMatchObject({ number: 2, workerId: 'w2', outcome: 'failed' });
    // Queued, nobody holds it: a late finish by w2 is refused too.
    expect(
      await store.tryFinishAttempt(id, {
        state: 'completed',
        attempt: { number: 2, workerId: 'w2', startedAtMs: 1200, outcome: 'completed' },
      }),
    ).toBe('fenced');
  });

  it('still lets the queue settle a job it gave up, unfenced', async () => {
    const id = newTaskId();
    await store.create(queue, id, spec);
    await store.startAttempt(id, { workerId: 'w1', startedAtMs: 1100 });
    expect(
      await store.tryFinishAttempt(id, {
        state: 'failed',
        attempt: { ...firstAttempt, outcome: 'failed', error: 'stalled too often' },
        error: { code: 'WORKER_LOST', message: 'the queue gave the task up' },
        fenced: false,
      }),
    ).toBe('finished');
    expect((await store.getOrThrow(id)).state).toBe('failed');
  });
});
