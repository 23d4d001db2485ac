import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { ClusterClient } from 'claudine';
import { CoordinatorService, loadConfig as loadCoordinatorConfig } from '@claudine/coordinator';
import { createLogger } from '@claudine/observability';
import type { ProtoTaskSpec } from '@claudine/proto';
import { closeRedis, createKeyspace, createRedisConnection, waitForRedis } from '@claudine/store';
import { createGitRepository, findFreePort, waitFor } from '@claudine/testing';
import { runPool } from './concurrency';
import { deleteKeysWithPrefix, randomKeyPrefix } from './fixtures';
import type { LogDestination } from './in-process-cluster';
import type { Outcome } from './outcome';
import { summarize, type Summary } from './stats';
import { errorRow, formatMs, formatRate, formatRatio, type ResultRow } from './table';

/**
 * `processes`: each coordinator its own Node process (services/coordinator/dist/main.js, so the
 * coordinator must be built: `npm run bench` builds first); the honest setting, one event loop per
 * coordinator as in production. `in-process`: all in this process (one event loop for all of them
 * and the clients, so more coordinators cannot go faster); used by the quick tests.
 */
export type CoordinatorHosting = 'processes' | 'in-process';

export interface CoordinatorScalingOptions {
  redisUrl: string;
  /** Coordinator counts to measure, e.g. [1, 2, 3]. */
  counts: readonly number[];
  /** Delegate calls per count (after the warm-up). */
  tasks: number;
  warmup: number;
  /** Calls in flight at once, spread round-robin over one client per coordinator. */
  concurrency: number;
  hosting: CoordinatorHosting;
  logDestination: LogDestination;
}

export interface CoordinatorScalingRun {
  coordinators: number;
  perSecond: number;
  elapsedMs: number;
  /** Per Delegate call, under that load, ms. */
  latency: Summary;
}

export interface CoordinatorScalingResult {
  hosting: CoordinatorHosting;
  runs: CoordinatorScalingRun[];
}

interface RunningCoordinator {
  address: string;
  close(): Promise<void>;
}

/**
 * Coordinator throughput and delegation latency with several coordinators against one Redis:
 * clients in this process send Delegate calls (no worker: the tasks stay queued) spread evenly
 * over the coordinators, `concurrency` in flight in all; each count gets a fresh key prefix.
 */
export async function measureCoordinatorScaling(
  options: CoordinatorScalingOptions,
): Promise<CoordinatorScalingResult> {
  const repository = await createGitRepository();
  const runs: CoordinatorScalingRun[] = [];
  try {
    for (const count of options.counts) runs.push(await measureOne(options, count, repository.path));
    return { hosting: options.hosting, runs };
  } finally {
    await repository.remove();
  }
}

async function measureOne(
  options: CoordinatorScalingOptions,
  count: number,
  repository: string,
): Promise<CoordinatorScalingRun> {
  const keyPrefix = randomKeyPrefix(`coordinators-${count}`);
  const coordinators: RunningCoordinator[] = [];
  const clients: ClusterClient[] = [];
  const redis = createRedisConnection({ url: options.redisUrl, role: 'producer', name: 'bench-scaling' });
  try {
    await waitForRedis(redis);
    const started = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        options.hosting === 'processes'
          ? startCoordinatorProcess(options, keyPrefix, i)
          : startCoordinatorInProcess(options, keyPrefix, i),
      ),
    );
    coordinators.push(...started);
    clients.push(...coordinators.map((c) => ClusterClient.connect(c.address)));
    const spec = { prompt: 'benchmark: queued only', repository, timeoutMs: 60_000 } satisfies ProtoTaskSpec;
    const call = (index: number): Promise<unknown> => clients[index % clients.length]!.delegate(spec);
    await runPool(options.warmup, options.concurrency, call);
    const latencies = new Array<number>(options.tasks);
    const begin = performance.now();
    await runPool(options.tasks, options.concurrency, async (index) => {
      const before = performance.now();
      await call(index);
      latencies[index] = performance.now() - before;
    });
    const elapsedMs = performance.now() - begin;
    const expected = options.warmup + options.tasks;
    const queued = await redis.zcard(createKeyspace(keyPrefix).tasksInState('queued'));
    if (queued !== expected) throw new Error(`expected ${expected} queued tasks, found ${queued}`);
    return {
      coordinators: count,
      perSecond: (options.tasks / elapsedMs) * 1000,
      elapsedMs,
      latency: summarize(latencies),
    };
  } finally {
    for (const client of clients) client.close();
    await Promise.all(coordinators.map((c) => c.close().catch(() => undefined)));
    await deleteKeysWithPrefix(redis, keyPrefix).catch(() => 0);
    await closeRedis(redis);
  }
}

async function startCoordinatorInProcess(
  options: CoordinatorScalingOptions,
  keyPrefix: string,
  index: number,
): Promise<RunningCoordinator> {
  const coordinator = await CoordinatorService.create(
    loadCoordinatorConfig({
      REDIS_URL: options.redisUrl,
      CLAUDINE_KEY_PREFIX: keyPrefix,
      CLAUDINE_GRPC_PORT: '0',
      CLAUDINE_COORDINATOR_ID: `bench-${index}`,
      LOG_LEVEL: 'warn',
    }),
    createLogger({ name: `coordinator-${index}`, level: 'warn', destination: options.logDestination }),
  );
  return { address: coordinator.grpcAddress, close: () => coordinator.close() };
}

async function startCoordinatorProcess(
  options: CoordinatorScalingOptions,
  keyPrefix: string,
  index: number,
): Promise<RunningCoordinator> {
  const script = require.resolve('@claudine/coordinator/dist/main.js');
  const grpcPort = await findFreePort();
  const metricsPort = await findFreePort();
  const child: ChildProcess = spawn(process.execPath, [script], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      REDIS_URL: options.redisUrl,
      CLAUDINE_KEY_PREFIX: keyPrefix,
      CLAUDINE_GRPC_HOST: '127.0.0.1',
      CLAUDINE_GRPC_PORT: String(grpcPort),
      CLAUDINE_METRICS_PORT: String(metricsPort),
      CLAUDINE_COORDINATOR_ID: `bench-${index}`,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => options.logDestination.write(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => options.logDestination.write(chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const escalation = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(escalation);
    }
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`coordinator ${index} exited with ${child.exitCode}`);
        return (await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).ok;
      },
      { description: `coordinator process ${index} to be ready`, timeoutMs: 20_000, intervalMs: 50 },
    );
  } catch (error) {
    await close();
    throw error;
  }
  return { address: `127.0.0.1:${grpcPort}`, close };
}

export interface CoordinatorScalingSection {
  rows: ResultRow[];
  notes: string[];
  details: string[];
}

export function coordinatorScalingSection(
  outcome: Outcome<CoordinatorScalingResult>,
  options: Pick<CoordinatorScalingOptions, 'counts' | 'tasks' | 'concurrency' | 'hosting'>,
): CoordinatorScalingSection {
  const notes = [
    `coordinator scaling: ${options.counts.join(', ')} coordinators (${options.hosting === 'processes' ? 'each its own Node process' : 'all in the bench process'}) on one Redis; ` +
      `${options.tasks} Delegate calls per count from one gRPC client per coordinator in the bench process, ${options.concurrency} in flight in all, spread evenly; no worker (tasks stay queued). ` +
      `Baseline: the same load on 1 coordinator. On a 2-core machine the clients, the coordinators and Redis share the cores: more coordinators add event loops, not cores.`,
  ];
  const metric = `coordinator throughput (${options.counts.join('/')} coordinators)`;
  if (!outcome.ok)
    return {
      rows: [errorRow(metric, '-', outcome.error)],
      notes: [...notes, `coordinator scaling error: ${outcome.error}`],
      details: [],
    };
  const { runs } = outcome.value;
  const one = runs.find((run) => run.coordinators === 1) ?? runs[0]!;
  const rows: ResultRow[] = [];
  for (const run of runs) {
    const info = (label: string, value: string, base: string, ratio: number): ResultRow => ({
      metric: `${label} (${run.coordinators} coordinator${run.coordinators === 1 ? '' : 's'})`,
      claudine: value,
      baseline: base,
      ratio: formatRatio(ratio),
      target: '-',
      verdict: 'info',
    });
    rows.push(
      info(
        'delegations per second',
        formatRate(run.perSecond),
        formatRate(one.perSecond),
        run.perSecond / one.perSecond,
      ),
      info(
        'Delegate latency p50',
        formatMs(run.latency.p50),
        formatMs(one.latency.p50),
        run.latency.p50 / one.latency.p50,
      ),
      info(
        'Delegate latency p99',
        formatMs(run.latency.p99),
        formatMs(one.latency.p99),
        run.latency.p99 / one.latency.p99,
      ),
    );
  }
  return { rows, notes, details: [] };
}
