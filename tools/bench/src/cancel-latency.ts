import { spawn } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createGitRepository, createTempDir, isProcessAlive, waitFor } from '@claudine/testing';
import { randomKeyPrefix } from './fixtures';
import { startInProcessCluster, type LogDestination } from './in-process-cluster';
import { summarize, type Summary } from './stats';

export interface CancelLatencyOptions {
  redisUrl: string;
  /** Cancellations measured. */
  count: number;
  logDestination: LogDestination;
}

export interface CancelLatencyResult {
  /** Cancel call start to every process of the agent gone, ms. */
  claudine: Summary;
  /** The same process tree stopped directly (SIGTERM to its group), ms: the floor. */
  direct: Summary;
  /** Tasks that ended `cancelled`, of `count`. */
  recordedCancelled: number;
}

/** An agent that starts a grandchild and waits on it, like a long Bash tool call. */
async function writeHangingAgent(dir: string): Promise<string> {
  const script = path.join(dir, 'hanging-agent.sh');
  await writeFile(script, '#!/bin/sh\nsleep 300 &\necho "$$ $!" > pids.txt\nwait\n');
  await chmod(script, 0o755);
  return script;
}

async function readPids(file: string): Promise<number[] | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const pids = text.trim().split(' ').map(Number);
  return pids.length === 2 && pids.every((pid) => pid > 0) ? pids : undefined;
}

/** Polls without a timer's minimum delay: what is measured here is a few milliseconds. */
async function goneAfter(pids: number[], startMs: number, deadlineMs = 10_000): Promise<number> {
  for (;;) {
    if (pids.every((pid) => !isProcessAlive(pid))) return performance.now() - startMs;
    if (performance.now() - startMs > deadlineMs) throw new Error(`processes ${pids.join(', ')} still alive`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Cancel latency: from the Cancel call to the agent's whole process tree gone, through the
 * coordinator, the pub/sub message, the worker and the kill. Baseline: the same tree spawned
 * and stopped directly by this process, which is as fast as stopping it can be.
 */
export async function measureCancelLatency(options: CancelLatencyOptions): Promise<CancelLatencyResult> {
  const tmp = await createTempDir('claudine-bench-cancel-');
  const repository = await createGitRepository();
  const agent = await writeHangingAgent(tmp.path);
  const dataDir = path.join(tmp.path, 'worker');
  const cluster = await startInProcessCluster({
    redisUrl: options.redisUrl,
    keyPrefix: randomKeyPrefix('cancel'),
    logDestination: options.logDestination,
    worker: { capacity: 2, agentCommand: agent, dataDir },
  });
  try {
    const claudine: number[] = [];
    const taskIds: string[] = [];
    for (let i = 0; i < options.count; i++) {
      const task = await cluster.client.delegate({
        prompt: 'benchmark: wait',
        repository: repository.path,
        timeoutMs: 120_000,
      });
      taskIds.push(task.id);
      const pids = await waitFor(() => readPids(path.join(dataDir, 'worktrees', task.id, 'pids.txt')), {
        timeoutMs: 15_000,
        intervalMs: 5,
        description: `the agent of ${task.id} to start`,
      });
      const start = performance.now();
      await cluster.client.cancel(task.id, 'benchmark');
      claudine.push(await goneAfter(pids, start));
    }
    const cancelled = await waitFor(
      async () => {
        const tasks = await Promise.all(taskIds.map((id) => cluster.client.get(id)));
        return tasks.every((task) => task.state !== 'running' && task.state !== 'queued') ? tasks : undefined;
      },
      { timeoutMs: 30_000, description: 'every cancelled task recorded' },
    );

    const direct: number[] = [];
    for (let i = 0; i < options.count; i++) {
      const cwd = path.join(tmp.path, `direct-${i}`);
      await repository.git('worktree', 'add', '--quiet', '--detach', cwd);
      const child = spawn(agent, [], { cwd, detached: true, stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const pids = await waitFor(() => readPids(path.join(cwd, 'pids.txt')), {
        intervalMs: 5,
        description: 'direct agent start',
      });
      const start = performance.now();
      process.kill(-(child.pid as number), 'SIGTERM');
      direct.push(await goneAfter(pids, start));
      await exited;
    }
    return {
      claudine: summarize(claudine),
      direct: summarize(direct),
      recordedCancelled: cancelled.filter((task) => task.state === 'cancelled').length,
    };
  } finally {
    await cluster.close();
    await repository.remove();
    await tmp.remove();
  }
}
