#!/usr/bin/env node
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { closeRedis, createRedisConnection, waitForRedis } from '@claudine/store';
import { startRedis, type RedisHarness } from '@claudine/testing';
import { measureAdmissionThroughput } from './admission-throughput';
import { measureCancelLatency } from './cancel-latency';
import { measureScheduleLateness } from './schedule-lateness';
import { measureDelegationLatency } from './delegation-latency';
import { measureDependencies } from './dependencies';
import { failoverSection, measureFailoverTime } from './failover-time';
import { coordinatorScalingSection, measureCoordinatorScaling } from './coordinator-scaling';
import { leaseHandoverSection, measureLeaseHandover } from './lease-handover';
import { describeMachine, loadAverage } from './machine';
import { settle, type Outcome } from './outcome';
import {
  admissionSection,
  cancelSection,
  scheduleSection,
  dependenciesSection,
  latencySection,
  TARGETS,
  wholePathSection,
  worktreeSection,
  type Section,
} from './report';
import { renderResultTable } from './table';
import { measureWholePath } from './whole-path';
import { measureWorktreeCreation } from './worktree-creation';

const RESULTS_DIR = path.resolve(__dirname, '..', 'results');

const CONFIG = {
  latency: { count: 1_000, warmup: 20, workerCapacity: 4 },
  admission: { count: 2_000, concurrency: 64, warmup: 100, rounds: 2 },
  wholePath: { tasks: 20, workers: 2, capacity: 10, deadlineMs: 120_000 },
  cancel: { count: 50 },
  // Real worker processes; each round waits out one lock expiry (issue 7: at least 20 kills).
  failover: { kills: 20, perRound: 5 },
  schedules: { schedules: 50, firesEach: 10, everyMs: 1_000, coordinators: 3 },
  // A short ttl (default 10 s) so 15 handovers take ~25 s; the report scales them to the default.
  lease: { coordinators: 3, kills: 12, closes: 3, ttlMs: 1_500 },
  // Child processes: one event loop per coordinator, as deployed. ~30 s on a 2-core machine.
  coordinators: { counts: [1, 2, 3], tasks: 800, warmup: 50, concurrency: 48, hosting: 'processes' },
  worktree: { files: 50_000, rounds: 3, warmup: 1 },
  dependencies: {
    graph: {
      tasks: 100_000,
      componentSize: 100,
      maxEdgesPerTask: 3,
      samples: 500,
      dependencies: 100,
      naiveRounds: 3,
    },
    fanOutRelease: { fanOut: 1_000, rounds: 3 },
    // The DAG is 10,000 tasks; the workers run ~20 trivial tasks/s on 2 cores, and the DAG
    // runs twice (with and without dependencies): scaled down to stay within a few minutes.
    shapes: {
      chains: 30,
      chainLength: 10,
      fanOut: 1_000,
      fanIn: 300,
      workers: 4,
      workerCapacity: 1,
      deadlineMs: 300_000,
    },
  },
} as const;

/** After the work is done nothing should keep the process alive; if something does, say what. */
const LEAK_GRACE_MS = 15_000;

function progress(text: string): void {
  process.stderr.write(`[bench] ${text}\n`);
}

async function attempt<T>(name: string, run: () => Promise<T>): Promise<Outcome<T>> {
  const started = Date.now();
  progress(`${name}...`);
  const outcome = await settle(run);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  progress(
    outcome.ok ? `${name} done in ${seconds} s` : `${name} FAILED after ${seconds} s: ${outcome.error}`,
  );
  return outcome;
}

function closeStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => stream.end(() => resolve()));
}

async function main(): Promise<number> {
  const startedAt = new Date();
  await mkdir(RESULTS_DIR, { recursive: true });
  const logPath = path.join(RESULTS_DIR, 'services.log');
  const log = createWriteStream(logPath, { flags: 'w' });
  let redis: RedisHarness | undefined;
  try {
    redis = await startRedis();
    const admin = createRedisConnection({ url: redis.url, role: 'producer', name: 'bench-admin' });
    let machine;
    try {
      await waitForRedis(admin);
      machine = await describeMachine(admin);
    } finally {
      await closeRedis(admin);
    }
    process.stdout.write(
      `Claudine bench  ${startedAt.toISOString()}\n` +
        `machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.platform}\n` +
        `node ${machine.node}, redis ${machine.redis} (${process.env.REDIS_URL ? 'REDIS_URL' : 'private redis-server child'}), one Redis for the whole run, a fresh key prefix per measurement\n` +
        `load average (1 min) at start: ${machine.loadAverage} on ${machine.cores} cores` +
        // Measured before the bench does anything: a high value means other work shares the machine.
        `${machine.loadAverage > machine.cores / 2 ? ' (busy with other work: expect noisy, pessimistic numbers)' : ''}\n\n`,
    );

    const redisUrl = redis.url;
    const latency = await attempt(
      `delegation latency (${CONFIG.latency.count} tasks + ${CONFIG.latency.count} raw jobs)`,
      () => measureDelegationLatency({ redisUrl, ...CONFIG.latency, logDestination: log }),
    );
    const admission = await attempt(`admission throughput (${CONFIG.admission.count} calls)`, () =>
      measureAdmissionThroughput({ redisUrl, ...CONFIG.admission, logDestination: log }),
    );
    const cancel = await attempt(`cancel latency (${CONFIG.cancel.count} running tasks)`, () =>
      measureCancelLatency({ redisUrl, ...CONFIG.cancel, logDestination: log }),
    );
    const failover = await attempt(
      `failover time (${CONFIG.failover.kills} worker SIGKILLs, ${CONFIG.failover.perRound} per round)`,
      () => measureFailoverTime({ redisUrl, ...CONFIG.failover, logDestination: log }),
    );
    const lease = await attempt(
      `lease handover (${CONFIG.lease.kills} kills + ${CONFIG.lease.closes} closes, ${CONFIG.lease.coordinators} coordinators)`,
      () => measureLeaseHandover({ redisUrl, ...CONFIG.lease, logDestination: log }),
    );
    const coordinators = await attempt(
      `coordinator scaling (${CONFIG.coordinators.counts.join('/')} coordinators, ${CONFIG.coordinators.tasks} calls each)`,
      () => measureCoordinatorScaling({ redisUrl, ...CONFIG.coordinators, logDestination: log }),
    );
    const schedules = await attempt(
      `schedule lateness (${CONFIG.schedules.schedules * CONFIG.schedules.firesEach} fires, ${CONFIG.schedules.coordinators} coordinators)`,
      () => measureScheduleLateness({ redisUrl, ...CONFIG.schedules, logDestination: log }),
    );
    const dependencies = await attempt(
      `dependencies (${CONFIG.dependencies.graph.tasks.toLocaleString('en-US')}-task graph, 1 → ${CONFIG.dependencies.fanOutRelease.fanOut} fan-out, shapes on ${CONFIG.dependencies.shapes.workers} workers)`,
      () => measureDependencies({ redisUrl, logDestination: log, ...CONFIG.dependencies }, progress),
    );
    // Needs no Redis, only git and the disk; before the whole path, whose CLIs load the machine.
    const worktree = await attempt(
      `worktree creation (${CONFIG.worktree.files.toLocaleString('en-US')} files, ${CONFIG.worktree.rounds} rounds)`,
      () => measureWorktreeCreation(CONFIG.worktree),
    );
    const wholePath = await attempt(
      `whole path (${CONFIG.wholePath.tasks} tasks, real Claude Code CLI)`,
      () => measureWholePath({ redisUrl, ...CONFIG.wholePath, write: (text) => log.write(text) }),
    );

    const sections: Section[] = [
      latencySection(latency, CONFIG.latency.count, CONFIG.latency.workerCapacity),
      admissionSection(
        admission,
        CONFIG.admission.count,
        CONFIG.admission.concurrency,
        CONFIG.admission.rounds,
      ),
      cancelSection(cancel, CONFIG.cancel.count),
      failoverSection(failover, CONFIG.failover.kills, CONFIG.failover.perRound),
      leaseHandoverSection(lease, CONFIG.lease),
      coordinatorScalingSection(coordinators, CONFIG.coordinators),
      scheduleSection(schedules, CONFIG.schedules),
      dependenciesSection(dependencies, CONFIG.dependencies),
      worktreeSection(worktree, CONFIG.worktree.files),
      wholePathSection(
        wholePath,
        CONFIG.wholePath.tasks,
        CONFIG.wholePath.workers,
        CONFIG.wholePath.capacity,
      ),
    ];
    const rows = sections.flatMap((section) => section.rows);
    const resultsPath = path.join(RESULTS_DIR, 'latest.json');
    process.stdout.write(renderResultTable(rows));
    process.stdout.write('\n');
    for (const detail of sections.flatMap((section) => section.details)) process.stdout.write(`${detail}\n`);
    for (const note of sections.flatMap((section) => section.notes)) process.stdout.write(`${note}\n`);
    const durationMs = Date.now() - startedAt.getTime();
    const endLoad = loadAverage();
    process.stdout.write(
      `\nran ${(durationMs / 1000).toFixed(0)} s; load average (1 min) at end: ${endLoad} (the whole path's ${CONFIG.wholePath.tasks} CLIs raise it)\n` +
        `service logs: ${path.relative(process.cwd(), logPath)}; results: ${path.relative(process.cwd(), resultsPath)}\n`,
    );

    await writeFile(
      resultsPath,
      `${JSON.stringify(
        {
          startedAt: startedAt.toISOString(),
          durationMs,
          machine,
          loadAverageAtEnd: endLoad,
          config: CONFIG,
          targets: TARGETS,
          rows,
          delegationLatency: latency,
          admissionThroughput: admission,
          cancelLatency: cancel,
          failoverTime: failover,
          leaseHandover: lease,
          coordinatorScaling: coordinators,
          scheduleLateness: schedules,
          dependencies,
          worktreeCreation: worktree,
          wholePath,
        },
        null,
        2,
      )}\n`,
    );
    // The in-process measurements depend on nothing outside this repository (and git, which the
    // worker needs anyway): their failure is the bench's (or Claudine's) bug. The whole path
    // depends on the CLI binary, so it is reported only.
    const dependenciesOk =
      dependencies.ok &&
      dependencies.value.graph.ok &&
      dependencies.value.fanOutRelease.ok &&
      dependencies.value.shapes.ok;
    return latency.ok && admission.ok && cancel.ok && failover.ok && lease.ok && coordinators.ok && schedules.ok && worktree.ok && dependenciesOk ? 0 : 1;
  } finally {
    await redis?.stop();
    await closeStream(log);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => {
      const resources = process.getActiveResourcesInfo().filter((name) => name !== 'Timeout');
      process.stderr.write(
        `[bench] still running ${LEAK_GRACE_MS / 1000} s after the end, held by: ${resources.join(', ')}\n`,
      );
      process.exit(code === 0 ? 1 : code);
    }, LEAK_GRACE_MS).unref();
  },
  (error: unknown) => {
    process.stderr.write(
      `[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
