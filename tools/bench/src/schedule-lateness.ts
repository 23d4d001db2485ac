import { Queue, Worker } from 'bullmq';
import { CoordinatorService, loadConfig as loadCoordinatorConfig } from '@claudine/coordinator';
import { createLogger } from '@claudine/observability';
import { ClusterClient } from 'claudine';
import { closeRedis, createKeyspace, createRedisConnection } from '@claudine/store';
import { createGitRepository, waitFor } from '@claudine/testing';
import { randomKeyPrefix } from './fixtures';
import type { LogDestination } from './in-process-cluster';
import { summarize, type Summary } from './stats';

export interface ScheduleLatenessOptions {
  redisUrl: string;
  /** Schedules, each firing every `everyMs` until `firesEach` runs. */
  schedules: number;
  firesEach: number;
  everyMs: number;
  coordinators: number;
  logDestination: LogDestination;
}

export interface ScheduleLatenessResult {
  fires: number;
  /** Fire time to the run's task queued, ms (from each schedule's history). */
  claudine: Summary;
  /** Raw BullMQ job schedulers (`every`), same count: the scheduled time to the processor starting, ms. */
  bullmq: Summary;
  /** Fire times handled more than once (must be 0). */
  duplicates: number;
}

/**
 * How late schedules fire: `schedules` interval schedules on `coordinators` coordinators (each a
 * firer) until every one made `firesEach` runs; lateness is a run's queued time minus its fire
 * time. Baseline: BullMQ's own job schedulers with the same interval and count, processed by as
 * many BullMQ workers, lateness from the job's scheduled time to its processor starting.
 */
export async function measureScheduleLateness(
  options: ScheduleLatenessOptions,
): Promise<ScheduleLatenessResult> {
  const keyPrefix = randomKeyPrefix('schedules');
  const repository = await createGitRepository();
  const logger = (name: string) => createLogger({ name, level: 'warn', destination: options.logDestination });
  const coordinators: CoordinatorService[] = [];
  let client: ClusterClient | undefined;
  try {
    for (let i = 0; i < options.coordinators; i++) {
      coordinators.push(
        await CoordinatorService.create(
          loadCoordinatorConfig({
            REDIS_URL: options.redisUrl,
            CLAUDINE_KEY_PREFIX: keyPrefix,
            CLAUDINE_GRPC_PORT: '0',
            LOG_LEVEL: 'warn',
          }),
          logger(`coordinator-${i}`),
        ),
      );
    }
    const connected = ClusterClient.connect(coordinators[0]!.grpcAddress);
    client = connected;
    const ids = await Promise.all(
      Array.from({ length: options.schedules }, async () => {
        const schedule = await connected.scheduleTask({
          template: { prompt: 'a scheduled run', repository: repository.path },
          everyMs: options.everyMs,
          maxRuns: options.firesEach,
          concurrency: 'allow',
        });
        return schedule.id;
      }),
    );
    const done = await waitFor(
      async () => {
        const schedules = await Promise.all(ids.map((id) => connected.getSchedule(id)));
        return schedules.every((schedule) => schedule.state === 'completed') ? schedules : undefined;
      },
      {
        timeoutMs: options.everyMs * options.firesEach * 3 + 30_000,
        intervalMs: 250,
        description: 'every schedule to make its runs',
      },
    );
    const lateness: number[] = [];
    let duplicates = 0;
    for (const schedule of done) {
      const seen = new Set<string>();
      for (const run of schedule.history) {
        const key = String(run.fireTimeMs);
        if (seen.has(key)) duplicates++;
        seen.add(key);
        if (run.taskId) lateness.push(Number(run.queuedAtMs) - Number(run.fireTimeMs));
      }
    }
    const bullmq = await measureBullmqSchedulers(options);
    return { fires: lateness.length, claudine: summarize(lateness), bullmq: summarize(bullmq), duplicates };
  } finally {
    client?.close();
    for (const coordinator of coordinators) await coordinator.close();
    await repository.remove();
    const redis = createRedisConnection({ url: options.redisUrl, role: 'consumer' });
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await closeRedis(redis);
  }
}

/** BullMQ job schedulers alone: `every` schedulers with `limit` runs each, workers taking them. */
async function measureBullmqSchedulers(options: ScheduleLatenessOptions): Promise<number[]> {
  const keys = createKeyspace(randomKeyPrefix('bullmq-schedulers'));
  const connection = createRedisConnection({ url: options.redisUrl, role: 'consumer' });
  const queue = new Queue('schedulers', { connection, prefix: keys.bullPrefix });
  const lateness: number[] = [];
  const workers: Worker[] = [];
  const workerConnections = Array.from({ length: options.coordinators }, () =>
    createRedisConnection({ url: options.redisUrl, role: 'consumer' }),
  );
  try {
    for (const workerConnection of workerConnections) {
      workers.push(
        new Worker(
          'schedulers',
          async (job) => {
            lateness.push(Date.now() - (job.timestamp + (job.opts.delay ?? 0)));
            await Promise.resolve();
          },
          { connection: workerConnection, prefix: keys.bullPrefix, concurrency: 8 },
        ),
      );
    }
    await Promise.all(
      Array.from({ length: options.schedules }, (_, i) =>
        queue.upsertJobScheduler(
          `scheduler-${i}`,
          { every: options.everyMs, limit: options.firesEach },
          { name: 'fire' },
        ),
      ),
    );
    const expected = options.schedules * options.firesEach;
    await waitFor(() => lateness.length >= expected, {
      timeoutMs: options.everyMs * options.firesEach * 3 + 30_000,
      intervalMs: 100,
      description: 'BullMQ job schedulers to fire',
    });
    return lateness;
  } finally {
    for (const worker of workers) await worker.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    for (const workerConnection of workerConnections) await closeRedis(workerConnection);
    await closeRedis(connection);
  }
}
