import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { isTerminalState, TASK_LIMITS, type Attempt, type Task } from '@claudine/core';
import {
  closeRedis,
  createRedisConnection,
  readTaskEvents,
  RUN_TASK_JOB,
  TASK_QUEUE_NAME,
  taskJobOptions,
  waitForRedis,
  type TaskJobData,
} from '@claudine/store';
import { createGitRepository, createTempDir, waitFor, withDeadline } from '@claudine/testing';
import { runPool } from './concurrency';
import { deleteKeysWithPrefix, randomKeyPrefix, writeTrivialAgent } from './fixtures';
import { startInProcessCluster, type InProcessCluster, type LogDestination } from './in-process-cluster';
import { summarize, type Summary } from './stats';

export interface DelegationLatencyOptions {
  redisUrl: string;
  /** Measured tasks (and raw BullMQ jobs). */
  count: number;
  /** Run first and not counted: JIT, connections, git's caches and the repository check warm up. */
  warmup: number;
  workerCapacity: number;
  logDestination: LogDestination;
}

export interface StageSummary {
  stage: string;
  summary: Summary;
}

export interface DelegationLatencyResult {
  /** Delegate call start to agent process spawned, ms. */
  claudine: Summary;
  /** queue.add() start to processor invoked, ms. */
  raw: Summary;
  /** Where Claudine's latency goes, from the timestamps the services record. */
  stages: StageSummary[];
  /** How late this process's event loop ran timers while measuring, ms (1 ms resolution). */
  eventLoopDelay: { p50: number; p99: number; max: number };
  /** Tasks whose agent start ClusterClient.get did not return, so it was read from Redis. */
  agentStartReadFromRedis: number;
  /** Measured tasks that never started an agent (left out of the latency). */
  withoutAgentStart: number;
  /** Measured tasks that needed more than one attempt. */
  retried: number;
  completed: number;
  failed: { taskId: string; error: string }[];
}

const PER_TASK_DEADLINE_MS = 15_000;
const COMPLETION_DEADLINE_MS = 60_000;

/**
 * Sequential pacing, one delegation in flight: the next Delegate is sent once the previous
 * task's agent has started. So each sample is one task's path through an otherwise idle
 * coordinator and queue, while the worker may still be finishing earlier tasks, as in use.
 */
export async function measureDelegationLatency(
  options: DelegationLatencyOptions,
): Promise<DelegationLatencyResult> {
  const raw = await measureRawBullmqPickup(options);
  const claudine = await measureClaudineDelegation(options);
  return { raw, ...claudine };
}

async function measureClaudineDelegation(
  options: DelegationLatencyOptions,
): Promise<Omit<DelegationLatencyResult, 'raw'>> {
  const tmp = await createTempDir('claudine-bench-latency-');
  const repository = await createGitRepository();
  const keyPrefix = randomKeyPrefix('latency');
  let cluster: InProcessCluster | undefined;
  // Blocking stream reads need a connection of their own.
  const reader = createRedisConnection({ url: options.redisUrl, role: 'consumer', name: 'bench-events' });
  try {
    await waitForRedis(reader);
    cluster = await startInProcessCluster({
      redisUrl: options.redisUrl,
      keyPrefix,
      logDestination: options.logDestination,
      worker: {
        capacity: options.workerCapacity,
        agentCommand: await writeTrivialAgent(tmp.path),
        dataDir: path.join(tmp.path, 'worker'),
      },
    });
    const running = cluster;
    const delegateOne = async (): Promise<{ taskId: string; callStartMs: number }> => {
      // Date.now(), not performance.now(): the worker stamps the agent start with the same wall clock.
      const callStartMs = Date.now();
      const task = await running.client.delegate({
        prompt: 'benchmark: do nothing',
        repository: repository.path,
        timeoutMs: 60_000,
      });
      await waitForAgentStart(reader, running, task.id);
      return { taskId: task.id, callStartMs };
    };

    for (let i = 0; i < options.warmup; i++) await delegateOne();
    // Coordinator, worker and client share this event loop: time it holds still delays them all.
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const samples: { taskId: string; callStartMs: number }[] = [];
    for (let i = 0; i < options.count; i++) samples.push(await delegateOne());
    loopDelay.disable();

    const total = options.warmup + options.count;
    await waitFor(async () => (await countFinished(running)) >= total, {
      timeoutMs: COMPLETION_DEADLINE_MS,
      intervalMs: 50,
      description: `all ${total} latency tasks to finish`,
    });

    let fromRedis = 0;
    const tasks = await runPool(samples.length, 16, async (index) => {
      const { taskId } = samples[index]!;
      const viaGrpc = await running.client.get(taskId);
      if (viaGrpc.attempts.some((attempt) => attempt.agentStartedAtMs !== undefined)) return viaGrpc;
      // An API whose Attempt message does not carry the agent start: read the record the worker wrote.
      fromRedis++;
      const stored = await running.store.get(taskId);
      if (!stored) throw new Error(`task ${taskId} vanished from Redis`);
      return stored;
    });

    const failed = tasks
      .filter((task) => task.state !== 'completed')
      .map((task) => ({
        taskId: task.id,
        error: `${task.state}: ${task.error?.message ?? 'no error recorded'}`,
      }));
    // A retried task counts from its call to its first agent start, whichever attempt that was.
    const latencies = tasks.flatMap((task, index) => {
      const agentStartedAtMs = task.attempts.find(
        (attempt) => attempt.agentStartedAtMs !== undefined,
      )?.agentStartedAtMs;
      return agentStartedAtMs === undefined ? [] : [agentStartedAtMs - samples[index]!.callStartMs];
    });
    if (latencies.length === 0)
      throw new Error(`no task recorded an agent start (${failed[0]?.error ?? 'unknown'})`);
    // Stages only for single-attempt tasks: a retry's events and timestamps interleave two attempts.
    const timings = await runPool(tasks.length, 16, async (index) => {
      const task = tasks[index]!;
      return task.attempts.length === 1
        ? stageTimes(task, samples[index]!.callStartMs, await worktreeReadyMs(running, task.id))
        : undefined;
    });
    const staged = timings.filter((timing): timing is StageTimes => timing !== undefined);
    const stage = (
      name: string,
      from: (t: StageTimes) => number,
      to: (t: StageTimes) => number,
    ): StageSummary => ({
      stage: name,
      summary: summarize(staged.map((t) => to(t) - from(t))),
    });

    return {
      claudine: summarize(latencies),
      stages:
        staged.length === 0
          ? []
          : [
              stage(
                'Delegate RPC to task written (gRPC, validation, repo check)',
                (t) => t.callStartMs,
                (t) => t.createdAtMs,
              ),
              stage(
                'task written to attempt claimed (BullMQ pickup)',
                (t) => t.createdAtMs,
                (t) => t.claimedAtMs,
              ),
              stage(
                'attempt claimed to worktree ready (Lua claim, task read, git)',
                (t) => t.claimedAtMs,
                (t) => t.worktreeReadyMs,
              ),
              stage(
                'worktree ready to agent spawned (agent setup, spawn)',
                (t) => t.worktreeReadyMs,
                (t) => t.agentStartedAtMs,
              ),
            ],
      eventLoopDelay: {
        p50: loopDelay.percentile(50) / 1e6,
        p99: loopDelay.percentile(99) / 1e6,
        max: loopDelay.max / 1e6,
      },
      agentStartReadFromRedis: fromRedis,
      withoutAgentStart: tasks.length - latencies.length,
      retried: tasks.filter((task) => task.attempts.length > 1).length,
      completed: tasks.length - failed.length,
      failed,
    };
  } finally {
    await cluster?.close();
    await deleteKeysWithPrefix(reader, keyPrefix).catch(() => 0);
    await closeRedis(reader);
    await repository.remove();
    await tmp.remove();
  }
}

interface StageTimes {
  callStartMs: number;
  createdAtMs: number;
  claimedAtMs: number;
  worktreeReadyMs: number;
  agentStartedAtMs: number;
}

function stageTimes(
  task: Task,
  callStartMs: number,
  worktreeReadyMs: number | undefined,
): StageTimes | undefined {
  const attempt: Attempt | undefined = task.attempts[0];
  if (attempt?.agentStartedAtMs === undefined || worktreeReadyMs === undefined) return undefined;
  return {
    callStartMs,
    createdAtMs: task.createdAtMs,
    claimedAtMs: attempt.startedAtMs,
    worktreeReadyMs,
    agentStartedAtMs: attempt.agentStartedAtMs,
  };
}

/** When the worker reported the task's worktree ready (the event is stamped as it is written). */
async function worktreeReadyMs(cluster: InProcessCluster, taskId: string): Promise<number | undefined> {
  const events = await readTaskEvents(cluster.redis, cluster.keys, taskId, 0);
  const ready = events.find(
    (event) => event.type === 'worker.log' && event.data.message === 'worktree ready',
  );
  return ready?.timeMs;
}

/**
 * Blocks on the task's event stream until an agent event shows up: the worker records the agent
 * start on the same connection before it writes any agent event, so the start is stored by then.
 */
async function waitForAgentStart(reader: Redis, cluster: InProcessCluster, taskId: string): Promise<void> {
  const deadline = Date.now() + PER_TASK_DEADLINE_MS;
  let offset = 0;
  while (Date.now() < deadline) {
    const events = await readTaskEvents(reader, cluster.keys, taskId, offset, {
      blockMs: Math.max(1, Math.min(1_000, deadline - Date.now())),
    });
    for (const event of events) {
      offset = event.offset;
      if (event.type.startsWith('agent.')) return;
      if (event.type === 'task.state' && isTerminalState(event.data.state)) {
        const task = await cluster.store.get(taskId);
        throw new Error(
          `task ${taskId} ended ${event.data.state} before its agent started: ${task?.error?.message ?? 'no error recorded'}`,
        );
      }
    }
  }
  throw new Error(`task ${taskId}: no agent start within ${PER_TASK_DEADLINE_MS} ms`);
}

async function countFinished(cluster: InProcessCluster): Promise<number> {
  const counts = await Promise.all(
    (['completed', 'failed', 'cancelled'] as const).map((state) =>
      cluster.redis.zcard(cluster.keys.tasksInState(state)),
    ),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}

/**
 * The floor under Claudine: the same BullMQ job (same options) added to a queue with a plain
 * Worker of the same concurrency on the same Redis, timed from before add() to processor start.
 */
async function measureRawBullmqPickup(options: DelegationLatencyOptions): Promise<Summary> {
  const prefix = `${randomKeyPrefix('raw-latency')}:bull`;
  const producer = createRedisConnection({
    url: options.redisUrl,
    role: 'producer',
    name: 'bench-raw-producer',
  });
  const consumer = createRedisConnection({
    url: options.redisUrl,
    role: 'consumer',
    name: 'bench-raw-worker',
  });
  const waiting = new Map<string, (atMs: number) => void>();
  let queue: Queue<TaskJobData, void, typeof RUN_TASK_JOB> | undefined;
  let worker: Worker<TaskJobData, void> | undefined;
  try {
    await Promise.all([waitForRedis(producer), waitForRedis(consumer)]);
    queue = new Queue<TaskJobData, void, typeof RUN_TASK_JOB>(TASK_QUEUE_NAME, {
      connection: producer,
      prefix,
    });
    worker = new Worker<TaskJobData, void>(
      TASK_QUEUE_NAME,
      (job) => {
        waiting.get(job.data.taskId)?.(performance.now());
        return Promise.resolve();
      },
      { connection: consumer, prefix, concurrency: options.workerCapacity },
    );
    await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
    const addedQueue = queue;
    const addOne = async (id: string): Promise<number> => {
      const started = new Promise<number>((resolve) => waiting.set(id, resolve));
      const before = performance.now();
      await addedQueue.add(
        RUN_TASK_JOB,
        { taskId: id },
        taskJobOptions(id, 'P2', TASK_LIMITS.defaultMaxAttempts),
      );
      const processorStartedAt = await withDeadline(
        started,
        PER_TASK_DEADLINE_MS,
        `raw job ${id} to be processed`,
      );
      waiting.delete(id);
      return processorStartedAt - before;
    };
    for (let i = 0; i < options.warmup; i++) await addOne(`warmup-${i}`);
    const latencies: number[] = [];
    for (let i = 0; i < options.count; i++) latencies.push(await addOne(`job-${i}`));
    return summarize(latencies);
  } finally {
    await worker?.close();
    await queue?.close();
    await deleteKeysWithPrefix(producer, prefix).catch(() => 0);
    await closeRedis(consumer);
    await closeRedis(producer);
  }
}
