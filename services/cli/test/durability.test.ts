import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isTerminalState, type Task } from '@claudine/core';
import {
  createGitRepository,
  createTempDir,
  findFreePort,
  waitFor,
  type GitFixture,
  type TempDir,
} from '@claudine/testing';
import { closeRedis, createKeyspace, createRedisConnection, TaskStore } from '@claudine/store';
import { ClusterClient } from '../src/client/cluster-client';

/**
 * Kill -9 one part of a running cluster in the middle of 50 tasks (or between a dependency's end
 * and its dependents' release), restart it, and prove that every task still ends, exactly once.
 * Real processes throughout: redis-server with AOF (appendfsync always), coordinator and worker
 * processes from their builds.
 */
const AGENT = path.join(__dirname, 'fixtures', 'durable-agent.sh');
const SERVICES = path.resolve(__dirname, '../..');
const TASKS = 50;

interface Proc {
  child: ChildProcess;
  output: string;
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc: Proc = { child, output: '' };
  child.stdout?.on('data', (chunk: Buffer) => (proc.output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (proc.output += chunk.toString()));
  return proc;
}

async function stop(proc: Proc | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.child.once('exit', resolve));
  proc.child.kill(signal);
  await exited;
}

describe('durability: kill -9 in the middle of 50 tasks', () => {
  let dir: TempDir;
  let repo: GitFixture;
  let redisPort: number;
  let redis: Proc | undefined;
  const coordinators: Proc[] = [];
  const workers: Proc[] = [];
  let client: ClusterClient | undefined;

  const redisUrl = (): string => `redis://127.0.0.1:${redisPort}`;

  async function startRedis(): Promise<void> {
    redis = start('redis-server', [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir.path,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
    ]);
    await waitFor(() => redis?.output.includes('Ready to accept connections'), {
      description: 'redis-server ready',
    });
  }

  async function startCoordinator(): Promise<string> {
    const port = await findFreePort();
    const proc = start(process.execPath, [path.join(SERVICES, 'coordinator/dist/main.js')], {
      REDIS_URL: redisUrl(),
      CLAUDINE_GRPC_PORT: String(port),
      LOG_LEVEL: 'warn',
    });
    coordinators.push(proc);
    const address = `127.0.0.1:${port}`;
    await waitFor(
      async () => {
        const probe = ClusterClient.connect(address);
        try {
          await probe.listWorkers();
          return true;
        } catch {
          return false;
        } finally {
          probe.close();
        }
      },
      { timeoutMs: 15_000, description: `coordinator on ${address} (output: ${proc.output})` },
    );
    return address;
  }

  function startWorker(name: string): Proc {
    const proc = start(process.execPath, [path.join(SERVICES, 'worker/dist/main.js')], {
      REDIS_URL: redisUrl(),
      CLAUDINE_WORKER_ID: name,
      CLAUDINE_WORKER_CAPACITY: '4',
      CLAUDINE_DATA_DIR: path.join(dir.path, name),
      CLAUDINE_AGENT_COMMAND: AGENT,
      CLAUDINE_LOCK_DURATION_MS: '3000',
      CLAUDINE_STALLED_INTERVAL_MS: '1000',
      LOG_LEVEL: 'warn',
    });
    workers.push(proc);
    return proc;
  }

  async function delegate(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      ids.push((await client!.delegate({ prompt: `durable task ${i}`, repository: repo.path })).id);
    }
    return ids;
  }

  async function allFinished(ids: string[]): Promise<Task[]> {
    return waitFor(
      async () => {
        const tasks = await Promise.all(ids.map((id) => client!.get(id)));
        return tasks.every((task) => isTerminalState(task.state)) ? tasks : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: 'every task to finish' },
    );
  }

  /** How often each task's agent ran to its end, over every worker's log. */
  async function completedRuns(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const name of ['worker-a', 'worker-b', 'worker-c']) {
      const log = await readFile(path.join(dir.path, name, 'agent-runs.log'), 'utf8').catch(() => '');
      for (const line of log.split('\n')) {
        const [kind, taskId] = line.split(' ');
        if (kind === 'end' && taskId) counts.set(taskId, (counts.get(taskId) ?? 0) + 1);
      }
    }
    return counts;
  }

  async function expectEachCompletedOnce(tasks: Task[]): Promise<void> {
    expect(tasks).toHaveLength(TASKS);
    const runs = await completedRuns();
    for (const task of tasks) {
      // The error and attempts are in the comparison so that a failure shows why.
      expect({
        id: task.id,
        state: task.state,
        error: task.error,
        attempts: task.state === 'completed' ? undefined : task.attempts,
      }).toEqual({
        id: task.id,
        state: 'completed',
        error: undefined,
        attempts: undefined,
      });
      expect(task.attempts.filter((attempt) => attempt.outcome === 'completed')).toHaveLength(1);
      expect({ id: task.id, runs: runs.get(task.id) }).toEqual({ id: task.id, runs: 1 });
    }
  }

  beforeEach(async () => {
    dir = await createTempDir('claudine-durability-');
    repo = await createGitRepository();
    redisPort = await findFreePort();
    await startRedis();
  });

  afterEach(async () => {
    client?.close();
    client = undefined;
    await Promise.all([...workers, ...coordinators].map((proc) => stop(proc)));
    workers.length = 0;
    coordinators.length = 0;
    await stop(redis);
    await repo.remove();
    await dir.remove();
  });

  it('loses nothing when a coordinator is killed: another one carries on', async () => {
    client = ClusterClient.connect(await startCoordinator());
    startWorker('worker-a');
    startWorker('worker-b');
    const first = await delegate(TASKS / 2);
    await stop(coordinators[0], 'SIGKILL');
    client.close();
    client = ClusterClient.connect(await startCoordinator());
    const second = await delegate(TASKS / 2);
    const tasks = await allFinished([...first, ...second]);
    await expectEachCompletedOnce(tasks);
    for (const task of tasks) expect(task.attempts).toHaveLength(1);
  }, 120_000);

  it('loses nothing when a worker is killed: its tasks run again elsewhere, once', async () => {
    client = ClusterClient.connect(await startCoordinator());
    const doomed = startWorker('worker-a');
    const ids = await delegate(TASKS);
    // Kill it while it holds running tasks.
    await waitFor(
      async () =>
        (await client!.list({ states: ['running'] })).tasks.some(
          (t) => t.attempts.at(-1)?.workerId === 'worker-a',
        ),
      {
        description: 'worker-a running a task',
      },
    );
    await stop(doomed, 'SIGKILL');
    startWorker('worker-b');
    const tasks = await allFinished(ids);
    await expectEachCompletedOnce(tasks);
    const takenOver = tasks.filter((task) => task.attempts.length > 1);
    expect(takenOver.length).toBeGreaterThan(0);
    for (const task of takenOver) {
      expect(task.attempts[0]).toMatchObject({
        workerId: 'worker-a',
        outcome: 'failed',
        error: expect.stringContaining('worker lost'),
      });
    }
  }, 120_000);

  it('loses nothing when Redis is killed and restarted from its AOF', async () => {
    client = ClusterClient.connect(await startCoordinator());
    startWorker('worker-a');
    startWorker('worker-b');
    const ids = await delegate(TASKS);
    await waitFor(
      async () => (await client!.list({ states: ['completed'], pageSize: 500 })).tasks.length >= 5,
      {
        description: 'some tasks completed',
      },
    );
    await stop(redis, 'SIGKILL');
    await startRedis();
    const tasks = await allFinished(ids);
    await expectEachCompletedOnce(tasks);
  }, 120_000);

  it('releases dependents whose dependency ended after the coordinator was killed, once one is back', async () => {
    client = ClusterClient.connect(await startCoordinator());
    // No worker yet: the dependency cannot end before its dependents are written.
    const root = (await client.delegate({ prompt: 'the dependency', repository: repo.path })).id;
    const dependents: string[] = [];
    for (let i = 0; i < 20; i++) {
      const task = await client.delegate({
        prompt: `dependent ${i}`,
        repository: repo.path,
        dependsOn: [root],
      });
      expect(task.state).toBe('blocked');
      dependents.push(task.id);
    }
    await stop(coordinators[0], 'SIGKILL');
    client.close();
    client = undefined;

    startWorker('worker-a');
    const redisClient = createRedisConnection({ url: redisUrl(), role: 'consumer' });
    try {
      const store = new TaskStore(redisClient, createKeyspace());
      await waitFor(async () => (await store.get(root))?.state === 'completed', {
        timeoutMs: 30_000,
        description: 'the dependency to complete with no coordinator running',
      });
      // Its end resolved the edges in the same step; with no coordinator, nobody queues them.
      for (const id of dependents) {
        expect(await store.getOrThrow(id)).toMatchObject({
          state: 'blocked',
          dependencies: [{ taskId: root, state: 'completed' }],
        });
      }
    } finally {
      await closeRedis(redisClient);
    }

    client = ClusterClient.connect(await startCoordinator());
    const tasks = await allFinished(dependents);
    for (const task of tasks)
      expect({ id: task.id, state: task.state }).toEqual({ id: task.id, state: 'completed' });
    const runs = await completedRuns();
    for (const id of [root, ...dependents]) expect({ id, runs: runs.get(id) }).toEqual({ id, runs: 1 });
  }, 120_000);
});
