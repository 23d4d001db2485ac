import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig as loadWorkerConfig } from '@claudine/worker';
import { createGitRepository, createTempDir, isProcessAlive, waitFor } from '@claudine/testing';
import { randomKeyPrefix } from './fixtures';
import { startInProcessCluster, type LogDestination } from './in-process-cluster';
import type { Outcome } from './outcome';
import { summarize, type Summary } from './stats';
import { errorRow, formatMs, formatRatio, verdict, type ResultRow } from './table';

export interface FailoverTimeOptions {
  redisUrl: string;
  /** Workers SIGKILLed in all, each while its agent runs (at least 20 for the figure). */
  kills: number;
  /** Workers killed per round; a round's kills are spread over one stalled-check interval. */
  perRound: number;
  logDestination: LogDestination;
  /**
   * Extra worker variables. Empty in the bench, so the failover settings measured are the
   * worker's defaults; the tiny test shortens the locks to stay quick.
   */
  workerEnv?: Record<string, string>;
}

export interface FailoverTimeResult {
  /** SIGKILL of the worker to the task's next attempt started on another worker, ms. */
  failover: Summary;
  /** SIGKILL to the next attempt's agent started (the task visibly running again), ms. */
  toAgentStart: Summary;
  /** The lock and stalled-check settings the workers ran with: what explains the number. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** Killed attempts recorded as failed with "worker lost...", of `kills`. */
  recordedLost: number;
  /** Tasks completed in the end, of `kills`. */
  completed: number;
}

/** Issue 7: a dead worker's task runs again elsewhere within this. */
export const FAILOVER_TARGET_MS = 15_000;

const WORKER_MAIN = path.join(
  path.dirname(require.resolve('@claudine/worker/package.json')),
  'dist',
  'main.js',
);

/**
 * A stand-in agent held on a gate file named in its prompt ("gate:<file>"), logging
 * "<task> <pid>" to the file named by "log:<file>" when it starts: the pid is its process
 * group, which outlives a SIGKILLed worker and is ended by the bench.
 */
async function writeGatedAgent(dir: string): Promise<string> {
  const script = path.join(dir, 'gated-agent.sh');
  await writeFile(
    script,
    [
      '#!/bin/sh',
      'prompt=""',
      'while [ $# -gt 0 ]; do if [ "$1" = "-p" ]; then shift; prompt="$1"; fi; shift; done',
      'for word in $prompt; do case "$word" in gate:*) gate=${word#gate:} ;; log:*) log=${word#log:} ;; esac; done',
      'echo "$(basename "$PWD") $$" >> "$log"',
      'while [ ! -e "$gate" ]; do sleep 0.05; done',
      `echo '{"type":"result","subtype":"success","is_error":false,"result":"ok","session_id":"f","num_turns":1,"duration_ms":1,"total_cost_usd":0}'`,
      '',
    ].join('\n'),
  );
  await chmod(script, 0o755);
  return script;
}

interface WorkerProcess {
  id: string;
  child: ChildProcess;
  exited: Promise<void>;
}

/**
 * Failover time with real worker processes on one Redis: each round starts `perRound` workers
 * (capacity 1) that each take one task held on a gate, then a rescuer worker, then SIGKILLs the
 * first ones at staggered moments; each sample runs from a kill to the task's next attempt
 * starting on the rescuer. The coordinator runs in this process (it plays no part in failover).
 */
export async function measureFailoverTime(options: FailoverTimeOptions): Promise<FailoverTimeResult> {
  const tmp = await createTempDir('claudine-bench-failover-');
  const repository = await createGitRepository();
  const agent = await writeGatedAgent(tmp.path);
  const keyPrefix = randomKeyPrefix('failover');
  const cluster = await startInProcessCluster({
    redisUrl: options.redisUrl,
    keyPrefix,
    logDestination: options.logDestination,
  });
  const baseEnv = {
    REDIS_URL: options.redisUrl,
    CLAUDINE_KEY_PREFIX: keyPrefix,
    CLAUDINE_AGENT_COMMAND: agent,
    CLAUDINE_WORKTREE_GC_INTERVAL_MS: '0',
    // Exactly one agent per victim whatever the machine's load (the capacity rules of issue 7).
    CLAUDINE_CPU_RESERVE: '0',
    CLAUDINE_MEMORY_RESERVE: '0',
    CLAUDINE_AGENT_CPU: '0',
    CLAUDINE_AGENT_MEMORY: '0',
    CLAUDINE_SPAWN_INTERVAL_MS: '0',
    LOG_LEVEL: 'warn',
    ...options.workerEnv,
  };
  const { locks } = loadWorkerConfig({ ...baseEnv, CLAUDINE_DATA_DIR: tmp.path });
  const running = new Set<WorkerProcess>();
  const orphans = new Set<number>();

  const startWorker = (id: string, capacity: number): WorkerProcess => {
    const child = spawn(process.execPath, [WORKER_MAIN], {
      env: {
        ...process.env,
        ...baseEnv,
        CLAUDINE_WORKER_ID: id,
        CLAUDINE_WORKER_CAPACITY: String(capacity),
        CLAUDINE_DATA_DIR: path.join(tmp.path, 'workers', id),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => options.logDestination.write(chunk.toString()));
    const worker: WorkerProcess = {
      id,
      child,
      exited: new Promise((resolve) => child.once('exit', () => resolve())),
    };
    running.add(worker);
    void worker.exited.then(() => running.delete(worker));
    return worker;
  };
  const stopWorker = async (worker: WorkerProcess, signal: NodeJS.Signals): Promise<void> => {
    if (running.has(worker)) worker.child.kill(signal);
    await worker.exited;
  };

  try {
    const failover: number[] = [];
    const toAgentStart: number[] = [];
    let recordedLost = 0;
    let completed = 0;
    const rounds = Math.ceil(options.kills / options.perRound);
    for (let round = 0; round < rounds; round++) {
      const size = Math.min(options.perRound, options.kills - round * options.perRound);
      const gate = path.join(tmp.path, `gate-${round}`);
      const log = path.join(tmp.path, `agents-${round}.log`);
      const victims = Array.from({ length: size }, (_, i) => startWorker(`victim-${round}-${i}`, 1));
      const taskIds: string[] = [];
      for (let i = 0; i < size; i++) {
        const task = await cluster.client.delegate({
          prompt: `failover ${round}.${i} gate:${gate} log:${log}`,
          repository: repository.path,
          timeoutMs: 300_000,
        });
        taskIds.push(task.id);
      }
      // Every task held by a victim's agent.
      const held = await waitFor(
        async () => {
          const tasks = await Promise.all(taskIds.map((id) => cluster.store.getOrThrow(id)));
          return tasks.every((task) => task.state === 'running' && task.attempts.length === 1)
            ? tasks
            : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 50, description: `round ${round}: every task running on a victim` },
      );
      const pids = await waitFor(
        async () => {
          const lines = (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
          return lines.length >= size
            ? new Map(lines.map((line) => line.split(' ') as [string, string]))
            : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 50, description: `round ${round}: every victim's agent started` },
      );
      for (const pid of pids.values()) orphans.add(Number(pid));
      const rescuer = startWorker(`rescuer-${round}`, size);

      // Spread over one stalled-check interval, so the kills fall at different points of the check.
      const killedAt = new Map<string, number>();
      const byWorker = new Map(held.map((task) => [task.attempts[0]!.workerId, task.id]));
      for (const [i, victim] of victims.entries()) {
        if (i > 0) await delay(locks.stalledInterval / size);
        killedAt.set(byWorker.get(victim.id)!, Date.now());
        await stopWorker(victim, 'SIGKILL');
      }

      const rescued = await waitFor(
        async () => {
          const tasks = await Promise.all(taskIds.map((id) => cluster.store.getOrThrow(id)));
          return tasks.every((task) => task.attempts[1]?.agentStartedAtMs !== undefined) ? tasks : undefined;
        },
        {
          timeoutMs: locks.lockDuration + locks.stalledInterval + 60_000,
          intervalMs: 25,
          description: `round ${round}: every task running again on the rescuer`,
        },
      );
      for (const task of rescued) {
        const killed = killedAt.get(task.id)!;
        const next = task.attempts[1]!;
        failover.push(next.startedAtMs - killed);
        toAgentStart.push(next.agentStartedAtMs! - killed);
        if (task.attempts[0]!.outcome === 'failed' && task.attempts[0]!.error?.startsWith('worker lost'))
          recordedLost++;
      }
      // The killed workers' agents are still held on the gate: end them before opening it.
      for (const pid of pids.values()) killGroup(Number(pid));
      await writeFile(gate, '');
      const finished = await waitFor(
        async () => {
          const tasks = await Promise.all(taskIds.map((id) => cluster.store.getOrThrow(id)));
          return tasks.every((task) => ['completed', 'failed', 'cancelled'].includes(task.state))
            ? tasks
            : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 50, description: `round ${round}: every task finished` },
      );
      completed += finished.filter((task) => task.state === 'completed').length;
      await stopWorker(rescuer, 'SIGTERM');
    }
    return {
      failover: summarize(failover),
      toAgentStart: summarize(toAgentStart),
      lockDurationMs: locks.lockDuration,
      stalledIntervalMs: locks.stalledInterval,
      recordedLost,
      completed,
    };
  } finally {
    await Promise.all([...running].map((worker) => stopWorker(worker, 'SIGKILL')));
    for (const pid of orphans) killGroup(pid);
    await waitFor(() => [...orphans].every((pid) => !isProcessAlive(pid)), {
      timeoutMs: 5_000,
      description: "the killed workers' agents to end",
    }).catch(() => undefined);
    await cluster.close();
    await repository.remove();
    await tmp.remove();
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface FailoverSection {
  rows: ResultRow[];
  notes: string[];
  details: string[];
}

export function failoverSection(
  outcome: Outcome<FailoverTimeResult>,
  kills: number,
  perRound: number,
): FailoverSection {
  const target = `< ${FAILOVER_TARGET_MS / 1000} s`;
  const notes = [
    `failover time: ${kills} worker processes SIGKILLed while their agent ran (${perRound} per round, kills spread over one stalled-check interval), ` +
      `from the kill to the task's next attempt starting on another worker (a worker process started after the victims took their tasks); ` +
      `baseline: the worker's lock duration, after which the lost lock can be noticed (a lock is renewed every half of it, and a stalled check runs every interval).`,
  ];
  if (!outcome.ok) {
    return {
      rows: [errorRow('failover time', target, outcome.error)],
      notes: [...notes, `failover time error: ${outcome.error}`],
      details: [],
    };
  }
  const result = outcome.value;
  const expected = `lock ${formatMs(result.lockDurationMs)}, stalled check every ${formatMs(result.stalledIntervalMs)}`;
  notes.push(
    `failover settings: ${expected}: expected failover between lock/2 (${formatMs(result.lockDurationMs / 2)}) and lock + interval (${formatMs(result.lockDurationMs + result.stalledIntervalMs)}); ` +
      `${result.recordedLost}/${kills} lost attempts recorded as "worker lost", ${result.completed}/${kills} tasks completed in the end.`,
  );
  const row = (metric: string, value: number, withTarget: boolean): ResultRow => ({
    metric,
    claudine: formatMs(value),
    baseline: `lock ${formatMs(result.lockDurationMs)}`,
    ratio: formatRatio(value / result.lockDurationMs),
    target: withTarget ? target : '-',
    verdict: withTarget ? verdict(value < FAILOVER_TARGET_MS && result.completed === kills) : 'info',
  });
  return {
    rows: [
      row(`failover time p50 (${kills} SIGKILLs)`, result.failover.p50, false),
      row(`failover time max (${kills} SIGKILLs)`, result.failover.max, true),
      row('failover to agent running again max', result.toAgentStart.max, false),
    ],
    notes,
    details: [],
  };
}
