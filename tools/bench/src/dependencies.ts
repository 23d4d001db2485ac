import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { AppError, newTaskId, TASK_LIMITS, TaskSpecSchema, type Task, type TaskSpec } from '@claudine/core';
import { createLogger } from '@claudine/observability';
import {
  closeRedis,
  createKeyspace,
  createRedisConnection,
  createTaskQueue,
  RUN_TASK_JOB,
  TaskGraph,
  taskJobOptions,
  TaskStore,
  waitForRedis,
  type Keyspace,
  type TaskQueue,
} from '@claudine/store';
import { createGitRepository, createTempDir, waitFor } from '@claudine/testing';
import { loadConfig as loadWorkerConfig, WorkerService } from '@claudine/worker';
import { runPool } from './concurrency';
import { deleteKeysWithPrefix, errorMessage, randomKeyPrefix, writeTrivialAgent } from './fixtures';
import { startInProcessCluster, type InProcessCluster, type LogDestination } from './in-process-cluster';
import { settle, type Outcome } from './outcome';
import { summarize, type Summary } from './stats';

/*
 * Task dependencies, three ways:
 *  - adding to a large graph (store level, no workers): TaskGraph.create of a task with 100
 *    dependencies, and addDependencies (which runs the incremental cycle check), beside a naive
 *    full-graph cycle check (every edge loaded, one query per task, then a DFS);
 *  - the release of a 1 → N fan-out by Claudine (the Lua that ends the root resolves every edge,
 *    the coordinator's releaser queues the jobs) beside a naive releaser (one round trip per edge),
 *    both without workers, on the same Redis;
 *  - end to end: chains, a fan-out and a fan-in run by in-process workers with a trivial agent:
 *    the time from a dependent's last dependency ending to its job being added, by shape, and the
 *    wall time of the whole DAG beside the same number of tasks without dependencies.
 *
 * "Job added" is the time Redis stamped on BullMQ's `added` event for the job (the stream entry
 * id, in the server's clock, which is this machine's clock): it is written by the same script
 * that stores the job, so it is when a worker could first see it. A dependency's end is the
 * `endedAt` its finishing script wrote (the caller's Date.now(), as a worker passes it).
 */

/** Where the graph tasks claim to work: never opened, nothing runs them. */
const GRAPH_REPOSITORY = '/srv/bench/graph-repository';
/** Creation calls in flight at once while building. */
export const CREATE_IN_FLIGHT = 500;
/** The size of the DAG the issue asks for (chains, a 1 → 1,000 fan-out, a 1,000 → 1 fan-in). */
export const ISSUE_DAG_TASKS = 10_000;
const RELEASE_DEADLINE_MS = 60_000;
const STOP_POLL_MS = 100;

// ---------------------------------------------------------------------------------------------
// Shared pieces

/** A small seeded PRNG (mulberry32), so a run's graph can be built again. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct elements of `from`, drawn with `random` (count <= from.length). */
function pickDistinct<T>(from: readonly T[], count: number, random: () => number): T[] {
  if (count > from.length) throw new RangeError(`cannot pick ${count} of ${from.length}`);
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(Math.floor(random() * from.length));
  return [...chosen].map((index) => from[index] as T);
}

function graphSpec(repository: string): TaskSpec {
  return TaskSpecSchema.parse({ prompt: 'benchmark: do nothing', repository, timeoutMs: 60_000 });
}

function withDependencies(spec: TaskSpec, dependsOn: string[]): TaskSpec {
  return { ...spec, dependsOn };
}

function median(values: readonly number[]): number {
  return summarize(values).p50;
}

/**
 * Follows BullMQ's event stream of a queue and keeps, per job id, the Redis time of its `added`
 * event. Reads live (the stream is capped), on a connection of its own (blocking reads).
 */
export class JobAddedWatcher {
  private readonly added = new Map<string, number>();
  private readonly loop: Promise<void>;
  private failure: unknown;
  private stopped = false;
  private lastId = '0-0';

  private constructor(
    private readonly redis: Redis,
    private readonly streamKey: string,
  ) {
    this.loop = this.follow().catch((error: unknown) => {
      this.failure = error;
    });
  }

  static async start(redisUrl: string, queue: TaskQueue): Promise<JobAddedWatcher> {
    const redis = createRedisConnection({ url: redisUrl, role: 'consumer', name: 'bench-job-events' });
    try {
      await waitForRedis(redis);
    } catch (error) {
      await closeRedis(redis);
      throw error;
    }
    return new JobAddedWatcher(redis, queue.toKey('events'));
  }

  private async follow(): Promise<void> {
    while (!this.stopped) {
      const reply = await this.redis.xread(
        'COUNT',
        5_000,
        'BLOCK',
        STOP_POLL_MS,
        'STREAMS',
        this.streamKey,
        this.lastId,
      );
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          this.lastId = id;
          const values = new Map<string, string>();
          for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i] ?? '', fields[i + 1] ?? '');
          const jobId = values.get('jobId');
          if (values.get('event') === 'added' && jobId !== undefined && !this.added.has(jobId)) {
            this.added.set(jobId, Number(id.split('-')[0]));
          }
        }
      }
    }
  }

  /** Redis time (epoch ms) of the job's `added` event, if seen. */
  addedAtMs(jobId: string): number | undefined {
    return this.added.get(jobId);
  }

  async waitForAll(jobIds: readonly string[], timeoutMs: number, description: string): Promise<void> {
    await waitFor(
      () => {
        if (this.failure !== undefined)
          throw new Error(`job event watcher failed: ${errorMessage(this.failure)}`);
        return jobIds.every((id) => this.added.has(id));
      },
      { timeoutMs, intervalMs: 5, description },
    );
    if (this.failure !== undefined)
      throw new Error(`job event watcher failed: ${errorMessage(this.failure)}`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await closeRedis(this.redis);
  }
}

/**
 * Runs a task to completion the way a worker does (start, then finish).
 * @returns its `endedAt` and how long the finishing call took (it resolves the dependents), ms
 */
async function completeAsWorker(
  store: TaskStore,
  taskId: string,
): Promise<{ endedAtMs: number; finishMs: number }> {
  const startedAtMs = Date.now();
  const started = await store.startAttempt(taskId, { workerId: 'bench', startedAtMs });
  if (started.outcome !== 'started') throw new Error(`could not start ${taskId}: ${JSON.stringify(started)}`);
  const endedAt = Date.now();
  const before = performance.now();
  await store.finishAttempt(
    taskId,
    {
      state: 'completed',
      attempt: {
        number: started.attemptNumber,
        workerId: 'bench',
        startedAtMs,
        endedAtMs: endedAt,
        outcome: 'completed',
      },
    },
    endedAt,
  );
  return { endedAtMs: endedAt, finishMs: performance.now() - before };
}

/** Creates these in windows (ioredis pipelines what is in flight; one connection keeps the order). */
async function inWindows<T>(count: number, create: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += CREATE_IN_FLIGHT) {
    const end = Math.min(count, start + CREATE_IN_FLIGHT);
    results.push(...(await Promise.all(Array.from({ length: end - start }, (_, i) => create(start + i)))));
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// 1. Adding to a large graph

export interface GraphAddOptions {
  redisUrl: string;
  /** Tasks in the graph before measuring. */
  tasks: number;
  /** The graph is made of independent components of this many tasks (at most the depth limit). */
  componentSize: number;
  /** Each task of a component depends on 1 to this many random earlier tasks of it. */
  maxEdgesPerTask: number;
  /** Measured calls of each kind. */
  samples: number;
  /** Dependencies of each measured call. */
  dependencies: number;
  /** Runs of the naive full-graph cycle check. */
  naiveRounds: number;
  seed?: number;
}

export interface NaiveCycleCheck {
  /** HGETALL of every task's deps hash, one query per task (pipelined 1,000 at a time). */
  loadMs: number;
  /** Depth-first search of the whole graph in memory, with the new edges added. */
  dfsMs: number;
  totalMs: number;
  queries: number;
  edges: number;
}

export interface GraphAddResult {
  tasks: number;
  edges: number;
  components: number;
  /** Component roots run to completion before measuring (a third), so edges are in mixed states. */
  completedRoots: number;
  /** Building the graph with TaskGraph.create, pipelined; not measured against anything. */
  buildMs: number;
  /** Redis used_memory after the build. */
  redisMemoryBytes: number;
  /** TaskGraph.create of a new task with `dependencies` random existing tasks, ms. */
  create: Summary;
  createOutcomes: Record<string, number>;
  /**
   * addDependencies of `dependencies` - 1 random existing tasks to a blocked task that waits on
   * one already (a task may have at most 100), ms.
   */
  addDependencies: Summary;
  /** Calls refused (by error code): they are in the latency too, as answered. */
  addRefusals: Record<string, number>;
  /** The naive full-graph cycle check, the median of its rounds. */
  naive: NaiveCycleCheck;
  naiveRounds: NaiveCycleCheck[];
}

export async function measureGraphAdd(options: GraphAddOptions): Promise<GraphAddResult> {
  if (options.componentSize > TASK_LIMITS.maxDependencyDepth) {
    throw new RangeError(
      `componentSize ${options.componentSize} could exceed the depth limit of ${TASK_LIMITS.maxDependencyDepth}`,
    );
  }
  if (options.dependencies > TASK_LIMITS.maxDependencies) {
    throw new RangeError(`at most ${TASK_LIMITS.maxDependencies} dependencies per task`);
  }
  const random = seededRandom(options.seed ?? 1);
  const keys = createKeyspace(randomKeyPrefix('graph'));
  const redis = createRedisConnection({ url: options.redisUrl, role: 'producer', name: 'bench-graph' });
  try {
    await waitForRedis(redis);
    const graph = new TaskGraph(redis, keys);
    const store = new TaskStore(redis, keys);
    const spec = graphSpec(GRAPH_REPOSITORY);

    // The graph: components, each task on 1..maxEdges random earlier tasks of its component.
    const buildStarted = performance.now();
    const ids: string[] = Array.from({ length: options.tasks }, () => newTaskId());
    let edges = 0;
    const dependenciesOf = (index: number): string[] => {
      const base = index - (index % options.componentSize);
      if (index === base) return [];
      const wanted = Math.min(index - base, 1 + Math.floor(random() * options.maxEdgesPerTask));
      return pickDistinct(ids.slice(base, index), wanted, random);
    };
    await inWindows(options.tasks, async (index) => {
      const dependsOn = dependenciesOf(index);
      edges += dependsOn.length;
      const outcome = await graph.create(ids[index]!, withDependencies(spec, dependsOn));
      if (outcome.outcome === 'failed' || outcome.outcome === 'cancelled') {
        throw new Error(`graph task ${index} ended at creation: ${JSON.stringify(outcome)}`);
      }
    });
    // A third of the components have their root done: their edges are mixed, some tasks ready.
    const roots = ids.filter((_, index) => index % options.componentSize === 0);
    const completedRoots = roots.filter((_, component) => component % 3 === 0);
    await inWindows(completedRoots.length, (index) => completeAsWorker(store, completedRoots[index]!));
    const buildMs = performance.now() - buildStarted;
    const memory = await redis.info('memory');
    const redisMemoryBytes = Number(/used_memory:(\d+)/.exec(memory)?.[1] ?? NaN);

    // Blocked tasks to add to: any task of a component whose root is not done.
    const pendingIds = ids.filter((_, index) => Math.floor(index / options.componentSize) % 3 !== 0);

    const createLatencies: number[] = [];
    const createOutcomes: Record<string, number> = {};
    const warmup = Math.min(10, options.samples);
    for (let i = 0; i < warmup + options.samples; i++) {
      const dependsOn = pickDistinct(ids, options.dependencies, random);
      const id = newTaskId();
      const before = performance.now();
      const { outcome } = await graph.create(id, withDependencies(spec, dependsOn));
      const elapsed = performance.now() - before;
      if (i < warmup) continue;
      createLatencies.push(elapsed);
      createOutcomes[outcome] = (createOutcomes[outcome] ?? 0) + 1;
    }

    const addLatencies: number[] = [];
    const addRefusals: Record<string, number> = {};
    let probe: { id: string; dependsOn: string[] } | undefined;
    for (let i = 0; i < warmup + options.samples; i++) {
      const id = newTaskId();
      const [first] = pickDistinct(pendingIds, 1, random);
      const created = await graph.create(id, withDependencies(spec, [first!]));
      if (created.outcome !== 'blocked') throw new Error(`probe task not blocked: ${created.outcome}`);
      // It has one already: with these it reaches the most a task may have.
      const dependsOn = pickDistinct(ids, options.dependencies, random)
        .filter((dep) => dep !== first)
        .slice(0, options.dependencies - 1);
      probe ??= { id, dependsOn };
      const before = performance.now();
      try {
        await graph.addDependencies(id, dependsOn);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        if (i >= warmup) addRefusals[error.code] = (addRefusals[error.code] ?? 0) + 1;
      }
      if (i >= warmup) addLatencies.push(performance.now() - before);
    }

    const naiveRounds: NaiveCycleCheck[] = [];
    for (let round = 0; round < options.naiveRounds; round++) {
      naiveRounds.push(await naiveFullGraphCycleCheck(redis, keys, probe));
    }
    const naive = [...naiveRounds].sort((a, b) => a.totalMs - b.totalMs)[Math.floor(naiveRounds.length / 2)];
    if (!naive) throw new Error('no naive cycle check ran');

    return {
      tasks: options.tasks,
      edges,
      components: roots.length,
      completedRoots: completedRoots.length,
      buildMs,
      redisMemoryBytes,
      create: summarize(createLatencies),
      createOutcomes,
      addDependencies: summarize(addLatencies),
      addRefusals,
      naive,
      naiveRounds,
    };
  } finally {
    await deleteKeysWithPrefix(redis, keys.prefix).catch(() => 0);
    await closeRedis(redis);
  }
}

/**
 * What a store without an incremental check would do on every added edge: read every edge of the
 * graph (one HGETALL per task, pipelined 1,000 at a time: kinder to it than one round trip each),
 * add the new edges in memory, and look for a cycle with a depth-first search of the whole graph.
 */
export async function naiveFullGraphCycleCheck(
  redis: Redis,
  keys: Keyspace,
  newEdges?: { id: string; dependsOn: string[] },
): Promise<NaiveCycleCheck> {
  const started = performance.now();
  const ids = await redis.zrange(keys.allTasks, 0, -1);
  const graph = new Map<string, string[]>();
  let edges = 0;
  for (let start = 0; start < ids.length; start += 1_000) {
    const chunk = ids.slice(start, start + 1_000);
    const pipeline = redis.pipeline();
    for (const id of chunk) pipeline.hgetall(keys.dependencies(id));
    const replies = (await pipeline.exec()) ?? [];
    chunk.forEach((id, i) => {
      const [error, hash] = replies[i] ?? [new Error('no reply'), {}];
      if (error) throw error;
      const dependsOn = Object.keys(hash as Record<string, string>);
      edges += dependsOn.length;
      graph.set(id, dependsOn);
    });
  }
  const loaded = performance.now();
  if (newEdges) graph.set(newEdges.id, [...(graph.get(newEdges.id) ?? []), ...newEdges.dependsOn]);
  const cycle = findCycle(graph);
  const done = performance.now();
  if (cycle) throw new Error(`the benchmark graph has a cycle: ${cycle.join(' → ')}`);
  return {
    loadMs: loaded - started,
    dfsMs: done - loaded,
    totalMs: done - started,
    queries: ids.length + 1,
    edges,
  };
}

/** An iterative three-colour DFS over every node: a cycle as a list of ids, or undefined. */
export function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const colour = new Map<string, 1 | 2>(); // 1: on the stack, 2: done
  for (const start of graph.keys()) {
    if (colour.has(start)) continue;
    const stack: { node: string; next: number }[] = [{ node: start, next: 0 }];
    colour.set(start, 1);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const out = graph.get(frame.node) ?? [];
      if (frame.next >= out.length) {
        colour.set(frame.node, 2);
        stack.pop();
        continue;
      }
      const child = out[frame.next++]!;
      const seen = colour.get(child);
      if (seen === 1) {
        const from = stack.findIndex((f) => f.node === child);
        return [...stack.slice(from).map((f) => f.node), child];
      }
      if (seen === undefined) {
        colour.set(child, 1);
        stack.push({ node: child, next: 0 });
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// 2. A fan-out's release: Claudine beside a naive releaser, no workers

export interface FanOutReleaseOptions {
  redisUrl: string;
  fanOut: number;
  /** Measured rounds, after one that is not counted. */
  rounds: number;
  logDestination: LogDestination;
}

export interface ReleaseRun {
  /** Per round: the root's end to the last dependent's job added, ms. */
  totalMs: number[];
  /** Per round: the root's end to the first dependent's job added, ms. */
  firstMs: number[];
  /**
   * Per round: the call that ended the root, ms. Claudine resolves every edge in it (the Lua of
   * FINISH_ATTEMPT); the naive one only writes the root's state.
   */
  finishMs: number[];
  /** Every dependent of every round: the root's end to its job added, ms. */
  perDependent: Summary;
}

interface RunSamples {
  totals: number[];
  firsts: number[];
  finishes: number[];
  each: number[];
}

export interface FanOutReleaseResult {
  fanOut: number;
  rounds: number;
  claudine: ReleaseRun;
  naive: ReleaseRun;
  /** Median naive total over median Claudine total. */
  speedup: number;
  /**
   * Per round: BullMQ alone adding the same number of jobs (`queue.addBulk`, one call): the floor
   * under any release that gives each dependent its own job.
   */
  bullmqAddBulkMs: number[];
}

export async function measureFanOutRelease(options: FanOutReleaseOptions): Promise<FanOutReleaseResult> {
  const claudineRun: RunSamples = { totals: [], firsts: [], finishes: [], each: [] };
  const naiveRun: RunSamples = { totals: [], firsts: [], finishes: [], each: [] };
  const bullmqAddBulkMs: number[] = [];
  const spec = graphSpec(GRAPH_REPOSITORY);

  // Claudine: a coordinator (its releaser) and no worker; the bench ends the root as a worker would.
  const claudinePrefix = randomKeyPrefix('fanout');
  const naiveKeys = createKeyspace(randomKeyPrefix('fanout-naive'));
  let cluster: InProcessCluster | undefined;
  let claudineQueue: TaskQueue | undefined;
  let claudineWatcher: JobAddedWatcher | undefined;
  const naiveRedis = createRedisConnection({ url: options.redisUrl, role: 'producer', name: 'bench-naive' });
  let naiveQueue: TaskQueue | undefined;
  let naiveWatcher: JobAddedWatcher | undefined;
  try {
    cluster = await startInProcessCluster({
      redisUrl: options.redisUrl,
      keyPrefix: claudinePrefix,
      logDestination: options.logDestination,
    });
    const running = cluster;
    claudineQueue = createTaskQueue(running.redis, running.keys);
    const claudineGraph = new TaskGraph(running.redis, running.keys);
    claudineWatcher = await JobAddedWatcher.start(options.redisUrl, claudineQueue);

    await waitForRedis(naiveRedis);
    naiveQueue = createTaskQueue(naiveRedis, naiveKeys);
    const naiveStore = new TaskStore(naiveRedis, naiveKeys);
    const naiveGraph = new TaskGraph(naiveRedis, naiveKeys);
    naiveWatcher = await JobAddedWatcher.start(options.redisUrl, naiveQueue);

    const setUp = async (store: TaskStore, graph: TaskGraph, queue: TaskQueue) => {
      const root = newTaskId();
      await store.create(queue, root, spec);
      const dependents = Array.from({ length: options.fanOut }, () => newTaskId());
      await inWindows(dependents.length, (i) => graph.create(dependents[i]!, withDependencies(spec, [root])));
      return { root, dependents };
    };
    const record = (
      into: RunSamples,
      watcher: JobAddedWatcher,
      dependents: string[],
      ended: { endedAtMs: number; finishMs: number },
    ) => {
      const latencies = dependents.map((id) => (watcher.addedAtMs(id) ?? NaN) - ended.endedAtMs);
      into.totals.push(Math.max(...latencies));
      into.firsts.push(Math.min(...latencies));
      into.finishes.push(ended.finishMs);
      into.each.push(...latencies);
    };

    // The first round (-1) warms up (scripts loaded, code paths compiled) and is not counted.
    for (let round = -1; round < options.rounds; round++) {
      const counted = round >= 0;
      const claudineTasks = await setUp(running.store, claudineGraph, claudineQueue);
      const ended = await completeAsWorker(running.store, claudineTasks.root);
      await claudineWatcher.waitForAll(
        claudineTasks.dependents,
        RELEASE_DEADLINE_MS,
        `the ${options.fanOut} dependents' jobs (Claudine)`,
      );
      if (counted) record(claudineRun, claudineWatcher, claudineTasks.dependents, ended);

      const naiveTasks = await setUp(naiveStore, naiveGraph, naiveQueue);
      const naiveEndedAt = Date.now();
      const before = performance.now();
      await naiveRedis.hset(naiveKeys.task(naiveTasks.root), 'state', 'completed', 'endedAt', naiveEndedAt);
      const naiveFinishMs = performance.now() - before;
      await naiveRelease(naiveRedis, naiveKeys, naiveQueue, naiveTasks.root);
      await naiveWatcher.waitForAll(
        naiveTasks.dependents,
        RELEASE_DEADLINE_MS,
        `the ${options.fanOut} dependents' jobs (naive)`,
      );
      if (counted) {
        record(naiveRun, naiveWatcher, naiveTasks.dependents, {
          endedAtMs: naiveEndedAt,
          finishMs: naiveFinishMs,
        });
      }

      const floorIds = Array.from({ length: options.fanOut }, () => newTaskId());
      const floorStart = performance.now();
      await naiveQueue.addBulk(
        floorIds.map((id) => ({
          name: RUN_TASK_JOB,
          data: { taskId: id },
          opts: taskJobOptions(id, 'P2', 3),
        })),
      );
      if (counted) bullmqAddBulkMs.push(performance.now() - floorStart);
    }
    const summary = (run: RunSamples): ReleaseRun => ({
      totalMs: run.totals,
      firstMs: run.firsts,
      finishMs: run.finishes,
      perDependent: summarize(run.each),
    });
    return {
      fanOut: options.fanOut,
      rounds: options.rounds,
      claudine: summary(claudineRun),
      naive: summary(naiveRun),
      speedup: median(naiveRun.totals) / median(claudineRun.totals),
      bullmqAddBulkMs,
    };
  } finally {
    await claudineWatcher?.stop().catch(() => undefined);
    await naiveWatcher?.stop().catch(() => undefined);
    await claudineQueue?.close().catch(() => undefined);
    await naiveQueue?.close().catch(() => undefined);
    await cluster?.close();
    await deleteKeysWithPrefix(naiveRedis, claudinePrefix).catch(() => 0);
    await deleteKeysWithPrefix(naiveRedis, naiveKeys.prefix).catch(() => 0);
    await closeRedis(naiveRedis);
  }
}

/**
 * The naive release, run by whoever ended `rootId`: one round trip per edge. For each dependent
 * of the root, in turn: read its dependencies, read each one's state, and when all have
 * completed, read its spec, add its job and mark it queued.
 */
export async function naiveRelease(
  redis: Redis,
  keys: Keyspace,
  queue: TaskQueue,
  rootId: string,
): Promise<number> {
  let released = 0;
  for (const dependent of await redis.smembers(keys.dependents(rootId))) {
    const dependencies = Object.keys(await redis.hgetall(keys.dependencies(dependent)));
    let done = true;
    for (const dependency of dependencies) {
      if ((await redis.hget(keys.task(dependency), 'state')) !== 'completed') {
        done = false;
        break;
      }
    }
    if (!done) continue;
    const spec = JSON.parse((await redis.hget(keys.task(dependent), 'spec')) ?? '{}') as TaskSpec;
    await queue.add(
      RUN_TASK_JOB,
      { taskId: dependent },
      taskJobOptions(dependent, spec.priority, spec.maxAttempts),
    );
    await redis.hset(keys.task(dependent), 'state', 'queued');
    released++;
  }
  return released;
}

// ---------------------------------------------------------------------------------------------
// 3. End to end, by shape, with workers

export interface ReleaseByShapeOptions {
  redisUrl: string;
  /** `chains` chains of `chainLength` tasks. */
  chains: number;
  chainLength: number;
  /** One root, this many dependents. */
  fanOut: number;
  /** This many leaves, one sink (through a level of tasks of 100 when more than 100). */
  fanIn: number;
  workers: number;
  workerCapacity: number;
  logDestination: LogDestination;
  /** For each run (with dependencies, then without) to finish. */
  deadlineMs: number;
}

export type ShapeName = 'chains' | 'fan-out' | 'fan-in';

export interface ShapeLatency {
  shape: ShapeName;
  tasks: number;
  /** Dependents measured (each has a last dependency and a job). */
  dependents: number;
  /** Last dependency's end to the dependent's job added, ms. */
  latency: Summary;
  /** Dependents that never got a job (left out). */
  missing: number;
}

export interface RunWall {
  tasks: number;
  /** First attempt started to last task ended, ms. */
  wallMs: number;
  /** Sum of the tasks' own times (first attempt started to ended), ms. */
  busyMs: number;
  /** busyMs over wallMs times the slots (workers x capacity): how full the workers were kept. */
  utilisation: number;
  completed: number;
  retried: number;
  notCompleted: { taskId: string; error: string }[];
}

export interface ReleaseByShapeResult {
  workers: number;
  workerCapacity: number;
  /** Dependents per dependency in the fan-in's middle level (the cap on a task's dependencies). */
  fanInGroup: number;
  shapes: ShapeLatency[];
  all: Summary;
  withDependencies: RunWall;
  withoutDependencies: RunWall;
  /** Wall time with dependencies over without. */
  overhead: number;
  /** Of the process hosting the coordinator, the workers and the bench, during the DAG run, ms. */
  eventLoopDelay: { p50: number; p99: number; max: number };
}

interface Dependent {
  id: string;
  shape: ShapeName;
  dependsOn: string[];
}

interface Dag {
  /** Tasks with no dependency (queued at once). */
  roots: string[];
  /** In creation order: every task's dependencies come before it. */
  dependents: Dependent[];
  tasksPerShape: Record<ShapeName, number>;
  fanInGroup: number;
}

/** The DAG of the shapes, as ids; nothing is written. */
export function planDag(
  options: Pick<ReleaseByShapeOptions, 'chains' | 'chainLength' | 'fanOut' | 'fanIn'>,
): Dag {
  const roots: string[] = [];
  const dependents: Dependent[] = [];
  const chainHeads = Array.from({ length: options.chains }, () => newTaskId());
  roots.push(...chainHeads);
  let previous = chainHeads;
  for (let level = 1; level < options.chainLength; level++) {
    const next = previous.map((dep) => {
      const id = newTaskId();
      dependents.push({ id, shape: 'chains', dependsOn: [dep] });
      return id;
    });
    previous = next;
  }
  if (options.fanOut > 0) {
    const root = newTaskId();
    roots.push(root);
    for (let i = 0; i < options.fanOut; i++)
      dependents.push({ id: newTaskId(), shape: 'fan-out', dependsOn: [root] });
  }
  const group = TASK_LIMITS.maxDependencies;
  if (options.fanIn > 0) {
    const leaves = Array.from({ length: options.fanIn }, () => newTaskId());
    roots.push(...leaves);
    let level = leaves;
    // A task takes at most 100 dependencies: more leaves meet in a middle level first.
    while (level.length > group) {
      const up: string[] = [];
      for (let start = 0; start < level.length; start += group) {
        const id = newTaskId();
        dependents.push({ id, shape: 'fan-in', dependsOn: level.slice(start, start + group) });
        up.push(id);
      }
      level = up;
    }
    dependents.push({ id: newTaskId(), shape: 'fan-in', dependsOn: level });
  }
  const count = (shape: ShapeName) => dependents.filter((d) => d.shape === shape).length;
  return {
    roots,
    dependents,
    tasksPerShape: {
      chains: options.chains * options.chainLength,
      'fan-out': options.fanOut > 0 ? options.fanOut + 1 : 0,
      'fan-in': options.fanIn > 0 ? options.fanIn + count('fan-in') : 0,
    },
    fanInGroup: group,
  };
}

export async function measureReleaseByShape(options: ReleaseByShapeOptions): Promise<ReleaseByShapeResult> {
  const tmp = await createTempDir('claudine-bench-deps-');
  const repository = await createGitRepository();
  try {
    const agentCommand = await writeTrivialAgent(tmp.path);
    const spec = graphSpec(repository.path);
    const dag = planDag(options);
    const total = dag.roots.length + dag.dependents.length;
    const cluster = { agentCommand, dataDir: tmp.path, spec };

    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    const withDeps = await runOnWorkers(options, cluster, 'deps', async (store, graph, queue) => {
      await inWindows(dag.roots.length, (i) => store.create(queue, dag.roots[i]!, spec));
      // In order: a task's dependencies exist before it (the window keeps them in order too).
      await inWindows(dag.dependents.length, async (i) => {
        const { id, dependsOn } = dag.dependents[i]!;
        const outcome = await graph.create(id, withDependencies(spec, dependsOn));
        if (outcome.outcome !== 'blocked') throw new Error(`dependent ${id} not blocked: ${outcome.outcome}`);
      });
      loopDelay.enable();
    });
    loopDelay.disable();

    const plainIds = Array.from({ length: total }, () => newTaskId());
    const withoutDeps = await runOnWorkers(options, cluster, 'plain', async (store, _graph, queue) => {
      await inWindows(plainIds.length, (i) => store.create(queue, plainIds[i]!, spec));
    });

    const byId = new Map(withDeps.tasks.map((task) => [task.id, task]));
    const samples: Record<ShapeName, number[]> = { chains: [], 'fan-out': [], 'fan-in': [] };
    const missing: Record<ShapeName, number> = { chains: 0, 'fan-out': 0, 'fan-in': 0 };
    for (const dependent of dag.dependents) {
      const added = withDeps.added.get(dependent.id);
      const ends = dependent.dependsOn.map((dep) => byId.get(dep)?.endedAtMs);
      if (added === undefined || ends.some((end) => end === undefined)) {
        missing[dependent.shape]++;
        continue;
      }
      samples[dependent.shape].push(added - Math.max(...(ends as number[])));
    }
    const shapes: ShapeLatency[] = (['chains', 'fan-out', 'fan-in'] as const)
      .filter((shape) => dag.tasksPerShape[shape] > 0 && samples[shape].length + missing[shape] > 0)
      .map((shape) => {
        if (samples[shape].length === 0) throw new Error(`no ${shape} dependent got a job`);
        return {
          shape,
          tasks: dag.tasksPerShape[shape],
          dependents: samples[shape].length,
          latency: summarize(samples[shape]),
          missing: missing[shape],
        };
      });
    const slots = options.workers * options.workerCapacity;
    const dagWall = wallOf(withDeps.tasks, slots);
    const plainWall = wallOf(withoutDeps.tasks, slots);
    return {
      workers: options.workers,
      workerCapacity: options.workerCapacity,
      fanInGroup: dag.fanInGroup,
      shapes,
      all: summarize(Object.values(samples).flat()),
      withDependencies: dagWall,
      withoutDependencies: plainWall,
      overhead: dagWall.wallMs / plainWall.wallMs,
      eventLoopDelay: {
        p50: loopDelay.percentile(50) / 1e6,
        p99: loopDelay.percentile(99) / 1e6,
        max: loopDelay.max / 1e6,
      },
    };
  } finally {
    await repository.remove();
    await tmp.remove();
  }
}

function wallOf(tasks: readonly Task[], slots: number): RunWall {
  const busyMs = tasks.reduce(
    (sum, task) =>
      sum +
      (task.attempts[0] && task.endedAtMs !== undefined ? task.endedAtMs - task.attempts[0].startedAtMs : 0),
    0,
  );
  const starts = tasks.flatMap((task) => (task.attempts[0] ? [task.attempts[0].startedAtMs] : []));
  const ends = tasks.flatMap((task) => (task.endedAtMs === undefined ? [] : [task.endedAtMs]));
  const notCompleted = tasks
    .filter((task) => task.state !== 'completed')
    .map((task) => ({
      taskId: task.id,
      error: `${task.state}: ${task.error?.message ?? 'no error recorded'}`,
    }));
  const wallMs = ends.length > 0 && starts.length > 0 ? Math.max(...ends) - Math.min(...starts) : NaN;
  return {
    tasks: tasks.length,
    wallMs,
    busyMs,
    utilisation: busyMs / (wallMs * slots),
    completed: tasks.length - notCompleted.length,
    retried: tasks.filter((task) => task.attempts.length > 1).length,
    notCompleted,
  };
}

/**
 * A coordinator, the tasks `write` puts in its Redis, then the workers (started only once every
 * task is written, so all runs start alike), until every task has ended.
 */
async function runOnWorkers(
  options: ReleaseByShapeOptions,
  setup: { agentCommand: string; dataDir: string },
  label: string,
  write: (store: TaskStore, graph: TaskGraph, queue: TaskQueue) => Promise<void>,
): Promise<{ tasks: Task[]; added: Map<string, number> }> {
  const keyPrefix = randomKeyPrefix(`deps-${label}`);
  let cluster: InProcessCluster | undefined;
  let queue: TaskQueue | undefined;
  let watcher: JobAddedWatcher | undefined;
  const workers: WorkerService[] = [];
  try {
    cluster = await startInProcessCluster({
      redisUrl: options.redisUrl,
      keyPrefix,
      logDestination: options.logDestination,
    });
    const running = cluster;
    queue = createTaskQueue(running.redis, running.keys);
    watcher = await JobAddedWatcher.start(options.redisUrl, queue);
    await write(running.store, new TaskGraph(running.redis, running.keys), queue);
    const ids = await running.redis.zrange(running.keys.allTasks, 0, -1);

    for (let w = 0; w < options.workers; w++) {
      const config = loadWorkerConfig({
        REDIS_URL: options.redisUrl,
        CLAUDINE_KEY_PREFIX: keyPrefix,
        CLAUDINE_METRICS_PORT: '0',
        LOG_LEVEL: 'warn',
        CLAUDINE_WORKER_ID: `bench-${label}-${w}`,
        CLAUDINE_WORKER_CAPACITY: String(options.workerCapacity),
        CLAUDINE_DATA_DIR: path.join(setup.dataDir, `${label}-worker-${w}`),
        CLAUDINE_AGENT_COMMAND: setup.agentCommand,
        // Exactly its capacity, whatever the machine's load (see in-process-cluster.ts).
        CLAUDINE_AGENT_CPU: '0',
        CLAUDINE_AGENT_MEMORY: '0',
        CLAUDINE_SPAWN_INTERVAL_MS: '0',
      });
      workers.push(
        await WorkerService.create({
          config,
          logger: createLogger({
            name: config.workerId,
            level: config.logLevel,
            destination: options.logDestination,
          }),
        }),
      );
    }
    await waitFor(async () => (await countEnded(running)) >= ids.length, {
      timeoutMs: options.deadlineMs,
      intervalMs: 50,
      description: `all ${ids.length} tasks (${label}) to end`,
    });
    const tasks = await runPool(ids.length, 16, async (index) => running.store.getOrThrow(ids[index]!));
    const added = new Map<string, number>();
    for (const id of ids) {
      const at = watcher.addedAtMs(id);
      if (at !== undefined) added.set(id, at);
    }
    return { tasks, added };
  } finally {
    for (const worker of workers.reverse()) await worker.close().catch(() => undefined);
    await watcher?.stop().catch(() => undefined);
    await queue?.close().catch(() => undefined);
    if (cluster) {
      await cluster.close();
      const cleaner = createRedisConnection({ url: options.redisUrl, role: 'producer', name: 'bench-clean' });
      await deleteKeysWithPrefix(cleaner, keyPrefix).catch(() => 0);
      await closeRedis(cleaner);
    }
  }
}

async function countEnded(cluster: InProcessCluster): Promise<number> {
  const counts = await Promise.all(
    (['completed', 'failed', 'cancelled'] as const).map((state) =>
      cluster.redis.zcard(cluster.keys.tasksInState(state)),
    ),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}

// ---------------------------------------------------------------------------------------------
// All three

export interface DependencyBenchOptions {
  redisUrl: string;
  logDestination: LogDestination;
  graph: Omit<GraphAddOptions, 'redisUrl'>;
  fanOutRelease: Omit<FanOutReleaseOptions, 'redisUrl' | 'logDestination'>;
  shapes: Omit<ReleaseByShapeOptions, 'redisUrl' | 'logDestination'>;
}

export type DependencyBenchConfig = Omit<DependencyBenchOptions, 'redisUrl' | 'logDestination'>;

export interface DependencyBenchResult {
  graph: Outcome<GraphAddResult>;
  fanOutRelease: Outcome<FanOutReleaseResult>;
  shapes: Outcome<ReleaseByShapeResult>;
  /** How long each part took, ms. */
  durationsMs: { graph: number; fanOutRelease: number; shapes: number };
}

/** Each part on its own: one failing keeps the others' numbers. */
export async function measureDependencies(
  options: DependencyBenchOptions,
  progress: (text: string) => void = () => undefined,
): Promise<DependencyBenchResult> {
  const timed = async <T>(name: string, run: () => Promise<T>): Promise<[Outcome<T>, number]> => {
    const started = Date.now();
    const outcome = await settle(run);
    const ms = Date.now() - started;
    progress(`  ${name}: ${outcome.ok ? 'done' : `FAILED: ${outcome.error}`} in ${(ms / 1000).toFixed(1)} s`);
    return [outcome, ms];
  };
  const [graph, graphMs] = await timed('adding to a large graph', () =>
    measureGraphAdd({ redisUrl: options.redisUrl, ...options.graph }),
  );
  const [fanOutRelease, fanOutMs] = await timed('fan-out release vs naive', () =>
    measureFanOutRelease({
      redisUrl: options.redisUrl,
      logDestination: options.logDestination,
      ...options.fanOutRelease,
    }),
  );
  const [shapes, shapesMs] = await timed('release by shape, with workers', () =>
    measureReleaseByShape({
      redisUrl: options.redisUrl,
      logDestination: options.logDestination,
      ...options.shapes,
    }),
  );
  return {
    graph,
    fanOutRelease,
    shapes,
    durationsMs: { graph: graphMs, fanOutRelease: fanOutMs, shapes: shapesMs },
  };
}
