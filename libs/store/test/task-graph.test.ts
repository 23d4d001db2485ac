import { newTaskId, TaskSpecSchema, type TaskSpecInput, type TaskState } from '@claudine/core';
import type { Redis } from 'ioredis';
import { closeRedis, createRedisConnection } from '../src/connection';
import type { Keyspace } from '../src/keyspace';
import { readTaskEvents } from '../src/task-events';
import { TaskGraph } from '../src/task-graph';
import { createTaskQueue, type TaskQueue } from '../src/task-queue';
import { TaskStore } from '../src/task-store';
import { freshKeyspace, useStoreRedis } from './support/store-redis';

const specOf = (input: Partial<TaskSpecInput> = {}) =>
  TaskSpecSchema.parse({ prompt: 'p', repository: '/srv/repo', ...input });

describe('TaskGraph', () => {
  const db = useStoreRedis();
  let redis: Redis;
  let keys: Keyspace;
  let store: TaskStore;
  let graph: TaskGraph;
  let queue: TaskQueue;

  beforeEach(() => {
    redis = db.redis;
    keys = freshKeyspace(db);
    store = new TaskStore(redis, keys);
    graph = new TaskGraph(redis, keys);
    queue = createTaskQueue(redis, keys);
  });
  afterEach(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });

  /** A task with no dependencies, queued. */
  async function queued(): Promise<string> {
    const id = newTaskId();
    await store.create(queue, id, specOf());
    return id;
  }

  /** A task that depends on these. */
  async function dependent(dependsOn: string[], input: Partial<TaskSpecInput> = {}) {
    const id = newTaskId();
    const outcome = await graph.create(id, specOf({ dependsOn, ...input }));
    return { id, outcome };
  }

  /** Runs a task to its end the way a worker does. */
  async function finish(id: string, state: Extract<TaskState, 'completed' | 'failed'>): Promise<void> {
    const started = await store.startAttempt(id, { workerId: 'w', startedAtMs: Date.now() });
    expect(started.outcome).toBe('started');
    const number = started.outcome === 'started' ? started.attemptNumber : 0;
    await store.finishAttempt(id, {
      state,
      attempt: { number, workerId: 'w', startedAtMs: Date.now(), outcome: state },
      error: state === 'failed' ? { code: 'AGENT_FAILED', message: 'boom' } : undefined,
    });
  }

  const stateOf = async (id: string) => (await store.getOrThrow(id)).state;
  const keyCount = async () => (await redis.keys(`${keys.prefix}*`)).length;

  it('blocks a task on unfinished dependencies, showing each edge, and releases it when they complete', async () => {
    const a = await queued();
    const b = await queued();
    const { id, outcome } = await dependent([a, b]);
    expect(outcome).toEqual({ outcome: 'blocked', remaining: 2 });
    const task = await store.getOrThrow(id);
    expect(task.state).toBe('blocked');
    expect(task.dependencies).toEqual([
      { taskId: a, state: 'pending' },
      { taskId: b, state: 'pending' },
    ]);
    expect((await store.getOrThrow(a)).dependents).toEqual([id]);

    await finish(a, 'completed');
    expect(await graph.readyTaskIds()).toEqual([]);
    await finish(b, 'completed');
    expect(await graph.readyTaskIds()).toEqual([id]);
    // A worker may take it before the releaser marks it queued: starting accepts a ready task.
    expect(await graph.release(queue, [id])).toEqual([id]);
    expect(await stateOf(id)).toBe('queued');
    expect((await queue.getJob(id))?.data).toEqual({ taskId: id });
    expect(await graph.readyTaskIds()).toEqual([]);
    expect(await graph.release(queue, [id])).toEqual([]);
    const events = await readTaskEvents(redis, keys, id, 0);
    expect(events.map((event) => event.type)).toEqual([
      'task.state',
      'dependency.resolved',
      'dependency.resolved',
      'task.state',
    ]);
  });

  it('resolves dependencies that already ended at once, by their outcome', async () => {
    const done = await queued();
    await finish(done, 'completed');
    const broken = await queued();
    await finish(broken, 'failed');

    expect((await dependent([done])).outcome).toEqual({ outcome: 'ready' });
    const failed = await dependent([done, broken]);
    expect(failed.outcome).toEqual({ outcome: 'failed', dependency: broken });
    expect(await store.getOrThrow(failed.id)).toMatchObject({
      state: 'failed',
      error: { code: 'DEPENDENCY_FAILED', message: `dependency ${broken} failed` },
    });
    expect((await dependent([broken], { onDependencyFailure: 'cancel' })).outcome).toEqual({
      outcome: 'cancelled',
      dependency: broken,
    });
    expect((await dependent([broken], { onDependencyFailure: 'continue' })).outcome).toEqual({
      outcome: 'ready',
    });
  });

  it('refuses unknown ids, naming them, and writes nothing', async () => {
    const known = await queued();
    const unknown = newTaskId();
    const before = await keyCount();
    await expect(dependent([known, unknown])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: `spec.dependsOn: unknown task ${unknown}`,
    });
    expect(await keyCount()).toBe(before);
  });

  it('refuses a chain deeper than 100', async () => {
    let previous = await queued();
    for (let depth = 1; depth <= 100; depth++) previous = (await dependent([previous])).id;
    const before = await keyCount();
    await expect(dependent([previous])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('would be 101 deep'),
    });
    expect(await keyCount()).toBe(before);
  });

  it('fails a chain of dependents when a dependency fails, each naming the one before', async () => {
    const a = await queued();
    const b = (await dependent([a])).id;
    const c = (await dependent([b])).id;
    const d = (await dependent([c], { onDependencyFailure: 'continue' })).id;
    await finish(a, 'failed');
    expect(await store.getOrThrow(b)).toMatchObject({
      state: 'failed',
      error: { code: 'DEPENDENCY_FAILED', message: `dependency ${a} failed` },
    });
    expect(await store.getOrThrow(c)).toMatchObject({
      state: 'failed',
      error: { message: `dependency ${b} failed` },
    });
    const events = await readTaskEvents(redis, keys, c, 0);
    expect(events.at(-1)?.data).toEqual({ state: 'failed', reason: `dependency_failed: ${b}` });
    // `continue` runs anyway, and its edge says what happened.
    expect(await store.getOrThrow(d)).toMatchObject({
      state: 'blocked',
      dependencies: [{ taskId: c, state: 'failed' }],
    });
    expect(await graph.readyTaskIds()).toEqual([d]);
  });

  it('cancels dependents whose policy is cancel, also when the dependency itself is cancelled', async () => {
    const a = await queued();
    const b = (await dependent([a], { onDependencyFailure: 'cancel' })).id;
    const c = (await dependent([b], { onDependencyFailure: 'cancel' })).id;
    const other = (await dependent([c])).id;
    expect(await store.cancel(a, 'not needed')).toEqual({ outcome: 'cancelled' });
    expect(await store.getOrThrow(b)).toMatchObject({
      state: 'cancelled',
      cancelReason: `dependency ${a} cancelled`,
    });
    expect(await stateOf(c)).toBe('cancelled');
    expect(await store.getOrThrow(other)).toMatchObject({
      state: 'failed',
      error: { message: `dependency ${c} cancelled` },
    });
    // A blocked task can be cancelled itself.
    const blocker = await queued();
    const waiting = (await dependent([blocker])).id;
    expect(await store.cancel(waiting, 'changed my mind')).toEqual({ outcome: 'cancelled' });
    await finish(blocker, 'completed');
    expect(await stateOf(waiting)).toBe('cancelled');
    expect(await graph.readyTaskIds()).toEqual([]);
  });

  it('refuses a dependency that would make a cycle, naming its ids', async () => {
    const root = await queued();
    const a = (await dependent([root])).id;
    const b = (await dependent([a])).id;
    const c = (await dependent([b])).id;
    await expect(graph.addDependencies(a, [c])).rejects.toMatchObject({
      code: 'DEPENDENCY_CYCLE',
      message: `depends_on: it would make a cycle: ${a} → ${c} → ${b} → ${a}`,
    });
    await expect(graph.addDependencies(a, [a])).rejects.toMatchObject({ code: 'DEPENDENCY_CYCLE' });
    expect((await store.getOrThrow(a)).dependencies).toEqual([{ taskId: root, state: 'pending' }]);
    // A dependency that makes no cycle is added, and counted.
    const extra = await queued();
    expect(await graph.addDependencies(c, [extra])).toEqual({ remaining: 2 });
  });

  it('lets only one of two racing coordinators close a cycle: all edges of a call or none', async () => {
    const second = createRedisConnection({ url: db.harness.url, role: 'consumer' });
    try {
      const otherGraph = new TaskGraph(second, keys);
      for (let round = 0; round < 20; round++) {
        const root = await queued();
        const a = (await dependent([root])).id;
        const b = (await dependent([root])).id;
        const results = await Promise.allSettled([
          graph.addDependencies(a, [b]),
          otherGraph.addDependencies(b, [a]),
        ]);
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        const refused = results.find((result) => result.status === 'rejected');
        expect(refused?.reason).toMatchObject({ code: 'DEPENDENCY_CYCLE' });
        const edges = [(await store.getOrThrow(a)).dependencies, (await store.getOrThrow(b)).dependencies];
        expect(edges.map((list) => list?.length)).toEqual(expect.arrayContaining([1, 2]));
      }
    } finally {
      await closeRedis(second);
    }
  });

  it('releases 1,000 dependents of one task in the step that ends it', async () => {
    const root = await queued();
    const ids: string[] = [];
    for (let i = 0; i < 1_000; i++) ids.push((await dependent([root])).id);
    await finish(root, 'completed');
    expect((await graph.readyTaskIds(2_000)).sort()).toEqual([...ids].sort());
  });

  it('finds a lost wake-up: a blocked task whose dependency ended without resolving it', async () => {
    const a = await queued();
    const b = (await dependent([a])).id;
    // As if the end of `a` had been written by something that forgot its dependents.
    await redis.hset(keys.task(a), 'state', 'completed');
    expect(await graph.readyTaskIds()).toEqual([]);
    expect(await graph.recheck(await graph.blockedTaskIds(0, 100))).toBe(1);
    expect(await graph.readyTaskIds()).toEqual([b]);
  });
});
