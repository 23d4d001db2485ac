import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { TASK_LIMITS } from '@claudine/core';
import type { ProtoTaskSpec } from '@claudine/proto';
import {
  closeRedis,
  createRedisConnection,
  RUN_TASK_JOB,
  TASK_QUEUE_NAME,
  taskJobOptions,
  waitForRedis,
  type TaskJobData,
} from '@claudine/store';
import { createGitRepository } from '@claudine/testing';
import { runPool } from './concurrency';
import { deleteKeysWithPrefix, randomKeyPrefix } from './fixtures';
import { startInProcessCluster, type InProcessCluster, type LogDestination } from './in-process-cluster';
import { summarize, type Summary } from './stats';

export interface AdmissionThroughputOptions {
  redisUrl: string;
  count: number;
  /** Calls in flight at once, from one client. */
  concurrency: number;
  /** Run first and not counted. */
  warmup: number;
  /** Each side runs this many rounds of `count` and keeps its best: a 2-core VM is noisy. */
  rounds: number;
  logDestination: LogDestination;
}

export interface ThroughputRun {
  accepted: number;
  elapsedMs: number;
  perSecond: number;
  /** Per-call latency under that load, ms. */
  callLatency: Summary;
}

export interface AdmissionThroughputResult {
  /** Delegate over gRPC: what a client sees. */
  claudine: ThroughputRun;
  /** The coordinator's TaskService.delegate called in-process: Claudine's cost without the wire. */
  withoutGrpc: ThroughputRun;
  /** queue.add() of the same job. */
  raw: ThroughputRun;
}

/**
 * How fast one coordinator accepts work: Delegate calls over gRPC with no worker running (the
 * tasks stay queued), against BullMQ `queue.add` of the same job at the same concurrency.
 */
export async function measureAdmissionThroughput(
  options: AdmissionThroughputOptions,
): Promise<AdmissionThroughputResult> {
  const raw = await measureRawAdds(options);
  const { claudine, withoutGrpc } = await measureDelegates(options);
  return { claudine, withoutGrpc, raw };
}

async function timedRun(
  count: number,
  concurrency: number,
  call: () => Promise<unknown>,
): Promise<ThroughputRun> {
  const latencies = new Array<number>(count);
  const started = performance.now();
  await runPool(count, concurrency, async (index) => {
    const before = performance.now();
    await call();
    latencies[index] = performance.now() - before;
  });
  const elapsedMs = performance.now() - started;
  return {
    accepted: count,
    elapsedMs,
    perSecond: (count / elapsedMs) * 1000,
    callLatency: summarize(latencies),
  };
}

async function bestOf(
  options: AdmissionThroughputOptions,
  call: () => Promise<unknown>,
): Promise<ThroughputRun> {
  await runPool(options.warmup, options.concurrency, call);
  let best: ThroughputRun | undefined;
  for (let round = 0; round < options.rounds; round++) {
    const run = await timedRun(options.count, options.concurrency, call);
    if (!best || run.perSecond > best.perSecond) best = run;
  }
  return best!;
}

async function measureDelegates(
  options: AdmissionThroughputOptions,
): Promise<Omit<AdmissionThroughputResult, 'raw'>> {
  const repository = await createGitRepository();
  const keyPrefix = randomKeyPrefix('admission');
  let cluster: InProcessCluster | undefined;
  try {
    cluster = await startInProcessCluster({
      redisUrl: options.redisUrl,
      keyPrefix,
      logDestination: options.logDestination,
    });
    const { client, coordinator } = cluster;
    const spec = {
      prompt: 'benchmark: queued only',
      repository: repository.path,
      timeoutMs: 60_000,
    } satisfies ProtoTaskSpec;
    const claudine = await bestOf(options, () => client.delegate(spec));
    const withoutGrpc = await bestOf(options, () => coordinator.tasks.delegate(spec));
    // Count what really landed, rather than trusting the replies alone.
    const expected = 2 * (options.warmup + options.rounds * options.count);
    const queued = await cluster.redis.zcard(cluster.keys.tasksInState('queued'));
    if (queued !== expected) throw new Error(`expected ${expected} queued tasks, found ${queued}`);
    return { claudine, withoutGrpc };
  } finally {
    if (cluster) {
      await deleteKeysWithPrefix(cluster.redis, keyPrefix).catch(() => 0);
      await cluster.close();
    }
    await repository.remove();
  }
}

async function measureRawAdds(options: AdmissionThroughputOptions): Promise<ThroughputRun> {
  const prefix = `${randomKeyPrefix('raw-admission')}:bull`;
  const connection = createRedisConnection({
    url: options.redisUrl,
    role: 'producer',
    name: 'bench-raw-admission',
  });
  let queue: Queue<TaskJobData, void, typeof RUN_TASK_JOB> | undefined;
  try {
    await waitForRedis(connection);
    queue = new Queue<TaskJobData, void, typeof RUN_TASK_JOB>(TASK_QUEUE_NAME, { connection, prefix });
    await queue.waitUntilReady();
    const target = queue;
    let next = 0;
    // Same job, same options as Claudine's (a unique id per job): only Claudine's own work differs.
    const add = (): Promise<unknown> => {
      const id = `job-${next++}`;
      return target.add(
        RUN_TASK_JOB,
        { taskId: id },
        taskJobOptions(id, 'P2', TASK_LIMITS.defaultMaxAttempts),
      );
    };
    const run = await bestOf(options, add);
    const counts = await queue.getJobCounts('prioritized', 'waiting');
    const landed = (counts.prioritized ?? 0) + (counts.waiting ?? 0);
    if (landed !== next) throw new Error(`expected ${next} raw jobs, found ${landed}`);
    return run;
  } finally {
    await queue?.close();
    await deleteKeysWithPrefix(connection, prefix).catch(() => 0);
    await closeRedis(connection);
  }
}
