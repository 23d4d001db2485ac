import { newTaskId, TaskSpecSchema, type Attempt } from '@claudine/core';
import type { Redis } from 'ioredis';
import type { Keyspace } from '../src/keyspace';
import { EVENT_ENTRY_OVERHEAD_BYTES } from '../src/scripts';
import { lastEventOffset, readTaskEvents, tailStartOffset } from '../src/task-events';
import { createTaskQueue, type TaskQueue } from '../src/task-queue';
import { TaskStore } from '../src/task-store';
import { freshKeyspace, useStoreRedis } from './support/store-redis';

const spec = TaskSpecSchema.parse({ prompt: 'p', repository: '/srv/repo', priority: 'P1' });

describe('TaskStore', () => {
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

  it('creates the record, its indexes, its first event and its job in one transaction', async () => {
    const id = newTaskId();
    await store.create(queue, id, spec, 1000);
    expect(await store.get(id)).toEqual({
      id,
      tenant: 'default',
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

  it('tells since when a task waits for a worker, and whether an attempt is open', async () => {
    const id = newTaskId();
    await store.create(queue, id, spec, 1000);
    expect(await store.waitingSince(id)).toEqual({ sinceMs: 1000, attemptOpen: false });
    await store.startAttempt(id, { workerId: 'w1', startedAtMs: 1100 }, 1100);
    expect(await store.waitingSince(id)).toEqual({ sinceMs: undefined, attemptOpen: true });
    expect(await store.waitingSince(newTaskId())).toEqual({ sinceMs: undefined, attemptOpen: false });
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

  describe('the log byte budget', () => {
    const BUDGET = 1_000;
    const text = (i: number) => ({ type: 'agent.text' as const, data: { text: `${i}:`.padEnd(100, 'x') } });

    /** What the stream holds, and what the task hash says about it. */
    async function streamState(id: string) {
      const entries = await redis.xrange(keys.events(id), '-', '+');
      const hash = await redis.hgetall(keys.task(id));
      let bytes = 0;
      for (const [, fields] of entries) {
        const values: Record<string, string> = {};
        for (let i = 0; i + 1 < fields.length; i += 2) values[fields[i]!] = fields[i + 1]!;
        bytes +=
          Buffer.byteLength(values.type!) + Buffer.byteLength(values.data!) + EVENT_ENTRY_OVERHEAD_BYTES;
      }
      return {
        offsets: entries.map(([entryId]) => Number(entryId.split('-')[1])),
        bytes,
        eventBytes: Number(hash.eventBytes),
        droppedEvents: Number(hash.droppedEvents ?? 0),
        eventSeq: Number(hash.eventSeq),
      };
    }

    it('counts the first event in create', async () => {
      const id = newTaskId();
      await store.create(queue, id, spec);
      const state = await streamState(id);
      expect(state).toEqual({
        offsets: [1],
        bytes: state.eventBytes,
        eventBytes: 60,
        droppedEvents: 0,
        eventSeq: 1,
      });
    });

    it('drops the oldest events past the budget, never the newest, and counts them', async () => {
      const capped = new TaskStore(redis, keys, { maxEventBytesPerTask: BUDGET });
      const id = newTaskId();
      await capped.create(queue, id, spec, 1000);
      // Each of these is 10 + 111 + 32 = 153 bytes: 6 of them fit in 1000 bytes, 7 do not.
      for (let i = 1; i <= 5; i++) await capped.appendEvents(id, [text(i)], 1000 + i);
      expect(await streamState(id)).toMatchObject({ offsets: [1, 2, 3, 4, 5, 6], droppedEvents: 0 });

      expect(await capped.appendEvents(id, [text(6), text(7), text(8)], 2000)).toBe(9);
      let state = await streamState(id);
      expect(state.offsets).toEqual([4, 5, 6, 7, 8, 9]);
      expect(state.droppedEvents).toBe(3);
      expect(state.eventBytes).toBe(state.bytes);
      expect(state.eventBytes).toBeLessThanOrEqual(BUDGET);

      // The state machine's own events go through the same budget.
      await capped.startAttempt(id, { workerId: 'w', startedAtMs: 3000 }, 3000);
      state = await streamState(id);
      expect(state.offsets.at(-1)).toBe(10);
      expect(state.droppedEvents + state.offsets.length).toBe(state.eventSeq);
      expect(state.eventBytes).toBe(state.bytes);

      // One event larger than the whole budget is kept alone; the next one replaces it.
      const huge = { type: 'agent.text' as const, data: { text: 'h'.repeat(BUDGET * 2) } };
      expect(await capped.appendEvents(id, [huge], 4000)).toBe(11);
      state = await streamState(id);
      expect(state.offsets).toEqual([11]);
      expect(state.eventBytes).toBe(state.bytes);
      expect(state.eventBytes).toBeGreaterThan(BUDGET);
      expect(state.droppedEvents).toBe(10);
      await capped.appendEvents(id, [text(12)], 5000);
      state = await streamState(id);
      expect(state).toMatchObject({ offsets: [12], droppedEvents: 11, eventSeq: 12 });
      expect(state.eventBytes).toBe(state.bytes);
    });

    it('puts a truncation marker first when events were dropped, and resuming from it repeats nothing', async () => {
      const capped = new TaskStore(redis, keys, { maxEventBytesPerTask: BUDGET });
      const id = newTaskId();
      await capped.create(queue, id, spec, 1000);
      for (let i = 2; i <= 20; i++) await capped.appendEvents(id, [text(i)], 1000 + i);
      const { offsets, droppedEvents } = await streamState(id);
      const first = offsets[0]!;
      expect(first).toBe(droppedEvents + 1);
      expect(offsets.at(-1)).toBe(20);

      const all = await readTaskEvents(redis, keys, id, 0);
      expect(all[0]).toEqual({
        taskId: id,
        type: 'log.truncated',
        data: { dropped: droppedEvents },
        offset: first - 1,
        timeMs: 1000 + first,
      });
      expect(all.slice(1).map((e) => e.offset)).toEqual(offsets);

      // From inside the dropped range, the marker counts only what was dropped after the offset.
      const fromThree = await readTaskEvents(redis, keys, id, 3);
      expect(fromThree[0]).toMatchObject({
        type: 'log.truncated',
        data: { dropped: first - 4 },
        offset: first - 1,
      });
      // From the marker's own offset: the kept events, no marker, nothing twice.
      expect((await readTaskEvents(redis, keys, id, first - 1)).map((e) => e.offset)).toEqual(offsets);

      // Read page by page from 0, resuming from the last offset seen each time.
      const seen: number[] = [];
      let after = 0;
      for (;;) {
        const page = await readTaskEvents(redis, keys, id, after, { count: 2 });
        if (page.length === 0) break;
        seen.push(...page.map((e) => e.offset));
        after = page.at(-1)!.offset;
      }
      expect(seen).toEqual([first - 1, ...offsets]);
      expect(all.filter((e) => e.type === 'log.truncated')).toHaveLength(1);
    });

    it('finds where the last N events start, and the last offset', async () => {
      const capped = new TaskStore(redis, keys, { maxEventBytesPerTask: BUDGET });
      const id = newTaskId();
      await capped.create(queue, id, spec);
      for (let i = 2; i <= 20; i++) await capped.appendEvents(id, [text(i)]);
      const { offsets } = await streamState(id);
      expect(await lastEventOffset(redis, keys, id)).toBe(20);
      expect(await lastEventOffset(redis, keys, newTaskId())).toBeUndefined();
      expect(await tailStartOffset(redis, keys, id, 2)).toBe(18);
      expect(await tailStartOffset(redis, keys, id, offsets.length)).toBe(offsets[0]! - 1);
      // More than are kept: from the start, so that the read says how many were dropped.
      expect(await tailStartOffset(redis, keys, id, offsets.length + 1)).toBe(0);
    });
  });
  it('removes tasks that finished before the retention cutoff, with everything they own', async () => {
    const old = newTaskId();
    const recent = newTaskId();
    const running = newTaskId();
    for (const id of [old, recent, running]) await store.create(queue, id, spec, 1000);
    for (const [id, end] of [
      [old, 2000],
      [recent, 9000],
    ] as const) {
      await store.startAttempt(id, { workerId: 'w', startedAtMs: 1500 }, 1500);
      await store.finishAttempt(
        id,
        { state: 'completed', attempt: { number: 1, workerId: 'w', startedAtMs: 1500 } },
        end,
      );
    }
    await store.startAttempt(running, { workerId: 'w', startedAtMs: 1500 }, 1500);

    expect(await store.removeFinishedBefore(5000)).toBe(1);
    expect(await store.get(old)).toBeUndefined();
    expect(await redis.exists(keys.events(old), keys.attempts(old))).toBe(0);
    expect(await redis.zscore(keys.allTasks, old)).toBeNull();
    expect(await redis.zscore(keys.tasksInState('completed'), old)).toBeNull();
    expect((await store.get(recent))?.state).toBe('completed');
    expect((await store.get(running))?.state).toBe('running');
  });
});
