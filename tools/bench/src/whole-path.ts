import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isTerminalState, type Task } from '@claudine/core';
import { ClusterClient, startLocalCluster, type LocalCluster } from 'claudine';
import { closeRedis, createKeyspace, createRedisConnection, TaskStore, waitForRedis } from '@claudine/store';
import { defaultAgentCommand } from '@claudine/worker';
import {
  createGitRepository,
  createTempDir,
  findFreePort,
  startScriptedAnthropic,
  waitFor,
  type GitFixture,
  type ScriptedAnthropic,
  type TempDir,
} from '@claudine/testing';
import { measureBareCli, type BareCliResult } from './bare-cli';
import { runPool, sleep } from './concurrency';
import { deleteKeysWithPrefix, errorMessage, randomKeyPrefix } from './fixtures';
import { settle, type Outcome } from './outcome';
import { peakOverlap, summarize, type Summary } from './stats';

export interface WholePathOptions {
  redisUrl: string;
  tasks: number;
  workers: number;
  capacity: number;
  deadlineMs: number;
  /** Service output (tagged lines); kept out of the table. */
  write(text: string): void;
}

export interface ClaudineWholePath {
  /** First Delegate call to the last task's end, ms. */
  wallMs: number;
  peakConcurrency: number;
  /** First attempt claimed minus task created, ms. */
  queueWait: Summary;
  /** Attempt claimed to agent spawned (worktree, agent setup), ms. */
  preparation: Summary;
  /** Agent spawned to attempt ended (the CLI's run, then commit and cleanup), ms. */
  agentRun: Summary;
  completed: number;
  /** Attempts beyond the first (retries after infrastructure failures). */
  retries: number;
  failed: { taskId: string; error: string }[];
}

export interface WholePathResult {
  agentCommand: string;
  claudeCodeVersion: string;
  /** The same CLI runs without Claudine: the floor. */
  bareCli: Outcome<BareCliResult>;
  claudine: Outcome<ClaudineWholePath>;
  /** Messages API requests the scripted server answered, both parts together. */
  apiRequests: number;
}

/**
 * The real path: `claudine up` as child processes (a coordinator, N workers, each running the
 * pinned Claude Code CLI), against a loopback Messages API that answers every request at once,
 * so the time measured is Claudine plus the CLI, never a model. The same CLI runs bare first.
 */
export async function measureWholePath(options: WholePathOptions): Promise<WholePathResult> {
  const agentCommand = defaultAgentCommand();
  const anthropic = await startScriptedAnthropic({ respond: () => ({ kind: 'text', text: 'done' }) });
  try {
    const bareCli = await settle(() =>
      measureBareCli({
        agentCommand,
        anthropicUrl: anthropic.url,
        runs: options.tasks,
        timeoutMs: options.deadlineMs,
      }),
    );
    const claudine = await settle(() => runClaudine(options, agentCommand, anthropic));
    return {
      agentCommand,
      claudeCodeVersion: await claudeCodeVersion(agentCommand),
      bareCli,
      claudine,
      apiRequests: anthropic.requests.length,
    };
  } finally {
    await anthropic.stop();
  }
}

async function runClaudine(
  options: WholePathOptions,
  agentCommand: string,
  anthropic: ScriptedAnthropic,
): Promise<ClaudineWholePath> {
  const keyPrefix = randomKeyPrefix('whole');
  let stateDir: TempDir | undefined;
  let repository: GitFixture | undefined;
  let cluster: LocalCluster | undefined;
  let client: ClusterClient | undefined;
  const redis = createRedisConnection({ url: options.redisUrl, role: 'producer', name: 'bench-whole-path' });
  try {
    await waitForRedis(redis);
    stateDir = await createTempDir('claudine-bench-cluster-');
    const repositoryPath = (repository = await createGitRepository()).path;
    cluster = await startLocalCluster({
      workers: options.workers,
      capacity: options.capacity,
      grpcPort: await findFreePort(),
      redisUrl: options.redisUrl,
      stateDir: stateDir.path,
      env: {
        ANTHROPIC_BASE_URL: anthropic.url,
        ANTHROPIC_API_KEY: 'sk-bench',
        LOG_LEVEL: 'warn',
        CLAUDINE_KEY_PREFIX: keyPrefix,
        // Explicit, so a CLAUDINE_AGENT_COMMAND in the caller's shell cannot swap the real CLI out.
        CLAUDINE_AGENT_COMMAND: agentCommand,
      },
      write: (text) => options.write(text),
    });
    const connected = ClusterClient.connect(cluster.grpcAddress);
    client = connected;
    // Readiness (/readyz) comes before a worker takes jobs; its first heartbeat comes just before.
    await waitFor(async () => (await connected.listWorkers()).length >= options.workers, {
      timeoutMs: 30_000,
      description: `${options.workers} workers to register`,
    });

    const firstCallMs = Date.now();
    const delegated = await Promise.all(
      Array.from({ length: options.tasks }, (_, i) =>
        connected.delegate({
          prompt: `benchmark task ${i}: reply done`,
          repository: repositoryPath,
          timeoutMs: 90_000,
        }),
      ),
    );
    const finished = await waitUntilFinished(
      connected,
      delegated.map((task) => task.id),
      firstCallMs + options.deadlineMs,
    );

    const store = new TaskStore(redis, createKeyspace(keyPrefix));
    const tasks = await runPool(finished.length, 8, async (index) => {
      const viaGrpc = finished[index]!;
      if (viaGrpc.attempts.every((attempt) => attempt.agentStartedAtMs !== undefined)) return viaGrpc;
      // An API without the agent start on its Attempt message: read the record the worker wrote.
      return (await store.get(viaGrpc.id)) ?? viaGrpc;
    });
    const failed = tasks
      .filter((task) => task.state !== 'completed')
      .map((task) => ({
        taskId: task.id,
        error: `${task.state}: ${task.error?.message ?? 'no error recorded'}`,
      }));
    // Every attempt that ran an agent counts towards concurrency; a retried task has several.
    const runs = tasks.flatMap((task) =>
      task.attempts.flatMap((attempt) =>
        attempt.agentStartedAtMs !== undefined && attempt.endedAtMs !== undefined
          ? [
              {
                claimedAtMs: attempt.startedAtMs,
                agentStartedAtMs: attempt.agentStartedAtMs,
                endedAtMs: attempt.endedAtMs,
              },
            ]
          : [],
      ),
    );
    if (runs.length === 0) throw new Error(`no agent ran: ${failed[0]?.error ?? 'unknown reason'}`);
    const queueWaits = tasks.flatMap((task) => {
      const first = task.attempts[0];
      return first ? [first.startedAtMs - task.createdAtMs] : [];
    });

    return {
      wallMs: Math.max(...tasks.map((task) => task.endedAtMs ?? Number.NaN)) - firstCallMs,
      peakConcurrency: peakOverlap(runs.map((run) => ({ start: run.agentStartedAtMs, end: run.endedAtMs }))),
      queueWait: summarize(queueWaits),
      preparation: summarize(runs.map((run) => run.agentStartedAtMs - run.claimedAtMs)),
      agentRun: summarize(runs.map((run) => run.endedAtMs - run.agentStartedAtMs)),
      completed: tasks.length - failed.length,
      retries: tasks.reduce((sum, task) => sum + Math.max(0, task.attempts.length - 1), 0),
      failed,
    };
  } finally {
    client?.close();
    await cluster
      ?.stop()
      .catch((error: unknown) =>
        options.write(`[bench] local cluster stop failed: ${errorMessage(error)}\n`),
      );
    await deleteKeysWithPrefix(redis, keyPrefix).catch(() => 0);
    await closeRedis(redis);
    await repository?.remove();
    await stateDir?.remove();
  }
}

/** Polls Get until every task is final; the end times used are the services' own, not the poll's. */
async function waitUntilFinished(
  client: ClusterClient,
  taskIds: readonly string[],
  deadlineMs: number,
): Promise<Task[]> {
  const latest = new Map<string, Task>();
  for (;;) {
    const pending = taskIds.filter((id) => !isTerminalState(latest.get(id)?.state ?? 'queued'));
    if (pending.length === 0) return taskIds.map((id) => latest.get(id)!);
    if (Date.now() > deadlineMs) {
      const states = taskIds.map((id) => latest.get(id)?.state ?? 'unknown');
      throw new Error(
        `${pending.length} of ${taskIds.length} tasks not finished by the deadline (states: ${countStates(states)})`,
      );
    }
    for (const task of await Promise.all(pending.map((id) => client.get(id)))) latest.set(task.id, task);
    await sleep(100);
  }
}

function countStates(states: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const state of states) counts.set(state, (counts.get(state) ?? 0) + 1);
  return [...counts].map(([state, count]) => `${count} ${state}`).join(', ');
}

async function claudeCodeVersion(agentCommand: string): Promise<string> {
  try {
    // The pinned binary lives in <package>/bin/; a `claude` from PATH has no package.json to read.
    const manifest = JSON.parse(
      await readFile(path.join(path.dirname(agentCommand), '..', 'package.json'), 'utf8'),
    ) as {
      version?: string;
    };
    return manifest.version ?? 'unknown';
  } catch {
    return 'unknown (not the pinned package)';
  }
}
