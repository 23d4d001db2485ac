import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
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
  claudine: ThroughputRun;
  raw: ThroughputRun;
}

/**
 * How fast one coordinator accepts work: Delegate calls over gRPC with no worker running (the
 * tasks stay queued), against BullMQ `queue.add` of the same job at the same concurrency.
 */
export async function measureAdmissionThroughput(options: AdmissionThroughputOptions): Promise<AdmissionThroughputResult> {
  const raw = await measureRawAdds(options);
  const claudine = await measureDelegates(options);
  return { claudine, raw };
}

async function timedRun(
  count: number,
  concurrency: number,
  call: (index: number) => Promise<unknown>,
): Promise<ThroughputRun> {
  const latencies = new Array<number>(count);
  const started = performance.now();
  await runPool(count, concurrency, async (index) => {
    const before = performance.now();
    await call(index);
    latencies[index] = performance.now() - before;
  });
  const elapsedMs = performance.now() - started;
  return { accepted: count, elapsedMs, perSecond: (count / elapsedMs) * 1000, callLatency: summarize(latencies) };
}

async function measureDelegates(options: AdmissionThroughputOptions): Promise<ThroughputRun> {
  const repository = await createGitRepository();
  const keyPrefix = randomKeyPrefix('admission');
  let cluster: InProcessCluster | undefined;
  try {
    cluster = await startInProcessCluster({ redisUrl: options.redisUrl, keyPrefix, logDestination: options.logDestination });
    const { client } = cluster;
    const delegate = (): Promise<unknown> =>
      client.delegate({ prompt: 'benchmark: queued only', repository: repository.path, timeoutMs: 60_000 });
    await runPool(options.warmup, options.concurrency, delegate);
    const run = await timedRun(options.count, options.concurrency, delegate);
    // Count what really landed, rather than trusting the replies alone.
    const queued = await cluster.redis.zcard(cluster.keys.tasksInState('queued'));
    if (queued !== options.warmup + options.count) {
      throw new Error(`expected ${options.warmup + options.count} queued tasks, found ${queued}`);
    }
    return run;
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
  const connection = createRedisConnection({ url: options.redisUrl, role: 'producer', name: 'bench-raw-admission' });
  let queue: Queue<TaskJobData, void, typeof RUN_TASK_JOB> | undefined;
  try {
    await waitForRedis(connection);
    queue = new Queue<TaskJobData, void, typeof RUN_TASK_JOB>(TASK_QUEUE_NAME, { connection, prefix });
    await queue.waitUntilReady();
    const target = queue;
    // Job ids as Claudine's are shaped (a task id), same options: only Claudine's own work differs.
    const add = (label: string) => (index: number) =>
      target.add(RUN_TASK_JOB, { taskId: `${label}-${index}` }, taskJobOptions(`${label}-${index}`, 'P2'));
    await runPool(options.warmup, options.concurrency, add('warmup'));
    const run = await timedRun(options.count, options.concurrency, add('job'));
    const counts = await queue.getJobCounts('prioritized', 'waiting');
    const landed = (counts.prioritized ?? 0) + (counts.waiting ?? 0);
    if (landed !== options.warmup + options.count) {
      throw new Error(`expected ${options.warmup + options.count} raw jobs, found ${landed}`);
    }
    return run;
  } finally {
    await queue?.close();
    await deleteKeysWithPrefix(connection, prefix).catch(() => 0);
    await closeRedis(connection);
  }
}
