import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { newTaskId, TaskSpecSchema, type Task, type TaskSpecInput } from '@claudine/core';
import { createLogger } from '@claudine/observability';
import {
  closeRedis,
  createKeyspace,
  createRedisConnection,
  createTaskQueue,
  readTaskEvents,
  TaskStore,
  workerQueueName,
  WorkerRegistry,
  type Keyspace,
  type ListedWorker,
  type TaskQueue,
} from '@claudine/store';
import {
  createGitRepository,
  createTempDir,
  isProcessAlive,
  startRedis,
  waitFor,
  type GitFixture,
  type RedisHarness,
  type TempDir,
} from '@claudine/testing';
import type { Redis } from 'ioredis';
import { loadConfig } from '../src/config';
import type { AgentExecutor } from '../src/execution/agent-executor';
import { WorkerService } from '../src/worker-service';

const GATED_AGENT = path.join(__dirname, 'fixtures', 'agent-waits-on-gate.sh');
const WORKER_MAIN = path.join(__dirname, '..', 'dist', 'main.js');

/** Capacity from the machine's load would make a busy test box take fewer tasks: off here. */
const NO_RESOURCE_LIMITS = {
  CLAUDINE_CPU_RESERVE: '0',
  CLAUDINE_MEMORY_RESERVE: '0',
  CLAUDINE_AGENT_CPU: '0',
  CLAUDINE_AGENT_MEMORY: '0',
  CLAUDINE_SPAWN_INTERVAL_MS: '0',
};

/**
 * The worker in a cluster: membership and drain requests, one capacity gate over all its
 * queues, graceful drain, failover after SIGKILL, and fencing of an attempt taken over.
 */
describe('worker in a cluster', () => {
  let redisHarness: RedisHarness;
  let redis: Redis;
  let keys: Keyspace;
  let store: TaskStore;
  let queue: TaskQueue;
  let registry: WorkerRegistry;
  let repo: GitFixture;
  let dataDir: TempDir;
  let gates: TempDir;
  let workers: WorkerService[];
  let children: ChildProcess[];
  let extraQueues: TaskQueue[];

  beforeAll(async () => {
    redisHarness = await startRedis();
  });
  afterAll(async () => {
    await redisHarness.stop();
  });

  beforeEach(async () => {
    keys = createKeyspace(`${redisHarness.keyPrefix}-${Math.random().toString(16).slice(2, 8)}`);
    redis = createRedisConnection({ url: redisHarness.url, role: 'consumer' });
    store = new TaskStore(redis, keys);
    queue = createTaskQueue(redis, keys);
    registry = new WorkerRegistry(redis, keys);
    repo = await createGitRepository({ files: { 'README.md': '# demo\n' } });
    dataDir = await createTempDir('claudine-cluster-test-');
    gates = await createTempDir('claudine-gates-');
    workers = [];
    children = [];
    extraQueues = [];
  });

  afterEach(async () => {
    // Open every gate so that no stand-in agent outlives the test.
    for (const name of ['a', 'b', 'c']) await writeFile(gate(name), '').catch(() => undefined);
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(workers.map((worker) => worker.close()));
    for (const extra of extraQueues) await extra.close();
    await queue.close();
    await closeRedis(redis);
    await repo.remove();
    await dataDir.remove();
    await gates.remove();
  });

  function gate(name: string): string {
    return path.join(gates.path, name);
  }

  function workerEnv(id: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      REDIS_URL: redisHarness.url,
      CLAUDINE_KEY_PREFIX: keys.prefix,
      CLAUDINE_WORKER_ID: id,
      CLAUDINE_DATA_DIR: path.join(dataDir.path, id),
      CLAUDINE_AGENT_COMMAND: GATED_AGENT,
      CLAUDINE_KILL_GRACE_MS: '300',
      CLAUDINE_HEARTBEAT_INTERVAL_MS: '200',
      CLAUDINE_WORKTREE_GC_INTERVAL_MS: '0',
      LOG_LEVEL: 'silent',
      ...NO_RESOURCE_LIMITS,
      ...extra,
    };
  }

  async function startWorker(
    id: string,
    extra: Record<string, string> = {},
    executor?: AgentExecutor,
  ): Promise<WorkerService> {
    const worker = await WorkerService.create({
      config: loadConfig(workerEnv(id, extra)),
      logger: createLogger({ name: 'worker', level: 'silent' }),
      executor,
    });
    workers.push(worker);
    return worker;
  }

  async function delegate(
    gateName: string,
    overrides: Partial<TaskSpecInput> = {},
    into = queue,
  ): Promise<string> {
    const taskId = newTaskId();
    await store.create(
      into,
      taskId,
      TaskSpecSchema.parse({ prompt: `gate:${gate(gateName)} work`, repository: repo.path, ...overrides }),
    );
    return taskId;
  }

  async function agentPids(gateName: string): Promise<number[]> {
    const text = await readFile(`${gate(gateName)}.pids`, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map(Number);
  }

  function taskWhere(
    taskId: string,
    condition: (task: Task) => boolean,
    description: string,
    timeoutMs = 15_000,
  ) {
    return waitFor(
      async () => {
        const task = await store.get(taskId);
        return task && condition(task) ? task : undefined;
      },
      { timeoutMs, description: `task ${taskId}: ${description}` },
    );
  }

  function listed(id: string, condition: (worker: ListedWorker) => boolean, description: string) {
    return waitFor(
      async () => {
        const worker = (await registry.listIncludingDead()).find((entry) => entry.id === id);
        return worker && condition(worker) ? worker : undefined;
      },
      { description: `worker ${id}: ${description}` },
    );
  }

  /** Resolves after the worker wrote `count` more heartbeats: time for it to act, as it sees it. */
  async function heartbeats(id: string, count: number): Promise<void> {
    const first = (await listed(id, () => true, 'listed')).lastHeartbeatMs;
    let seen = first;
    let beats = 0;
    await waitFor(
      async () => {
        const now = (await listed(id, () => true, 'listed')).lastHeartbeatMs;
        if (now !== seen) {
          seen = now;
          beats++;
        }
        return beats >= count;
      },
      { description: `${count} heartbeats of ${id}` },
    );
  }

  it('lists its labels, state, load, memory and capacity in the registry, and dead workers as dead', async () => {
    await startWorker('w1', { CLAUDINE_WORKER_LABELS: 'GPU,repo:web', CLAUDINE_WORKER_CAPACITY: '3' });
    const entry = await listed('w1', () => true, 'listed');
    expect(entry).toMatchObject({
      state: 'running',
      labels: ['gpu', 'repo:web'],
      capacity: 3,
      maxCapacity: 3,
      runningTaskIds: [],
      drainRequested: false,
    });
    expect(entry.cpus).toBeGreaterThan(0);
    expect(entry.freeMemoryBytes).toBeGreaterThan(0);
    expect(entry.load1).toBeGreaterThanOrEqual(0);

    // A worker that stops beating lapses and is listed dead, then dropped after the retention.
    await registry.beat({ ...entry, id: 'ghost', state: 'running', lastHeartbeatMs: Date.now() }, 300);
    await listed('ghost', (worker) => worker.state === 'dead', 'dead');
    expect((await registry.list()).map((worker) => worker.id)).toEqual(['w1']);
    const shortMemory = new WorkerRegistry(redis, keys, { deadRetentionMs: 0 });
    expect((await shortMemory.listIncludingDead(Date.now() + 1)).map((worker) => worker.id)).toEqual(['w1']);
    expect(await redis.hexists(keys.workersLastBeat, 'ghost')).toBe(0);
  });

  it('takes no new task while a drain is requested, and takes them again when it is undone', async () => {
    await startWorker('w1');
    await registry.requestDrain('w1', true);
    await listed('w1', (worker) => worker.state === 'draining' && worker.drainRequested, 'draining');
    await writeFile(gate('a'), '');
    const taskId = await delegate('a');
    await heartbeats('w1', 3);
    expect((await store.getOrThrow(taskId)).state).toBe('queued');

    await registry.requestDrain('w1', false);
    await listed('w1', (worker) => worker.state === 'running' && !worker.drainRequested, 'running');
    const task = await taskWhere(taskId, (t) => t.state === 'completed', 'completed');
    expect(task.attempts).toEqual([expect.objectContaining({ workerId: 'w1', outcome: 'completed' })]);
  });

  it('runs at most its capacity across the shared queue and its own', async () => {
    await startWorker('w1', { CLAUDINE_WORKER_CAPACITY: '1' });
    const own = createTaskQueue(redis, keys, workerQueueName('w1'));
    extraQueues.push(own);
    const shared = await delegate('a');
    const mine = await delegate('b', {}, own);
    await waitFor(async () => (await agentPids('a')).length + (await agentPids('b')).length === 1, {
      description: 'one agent started',
    });
    await heartbeats('w1', 3);
    const states = (await store.getMany([shared, mine])).map((task) => task.state).sort();
    expect(states).toEqual(['queued', 'running']);
    expect((await listed('w1', () => true, 'listed')).runningTaskIds).toHaveLength(1);

    await writeFile(gate('a'), '');
    await writeFile(gate('b'), '');
    const [first, second] = await Promise.all([
      taskWhere(shared, (t) => t.state === 'completed', 'completed'),
      taskWhere(mine, (t) => t.state === 'completed', 'completed'),
    ]);
    // One after the other, never side by side.
    const runs = [first, second]
      .map((task) => ({ start: task.attempts[0]!.startedAtMs, end: task.attempts[0]!.endedAtMs! }))
      .sort((x, y) => x.start - y.start);
    expect(runs[1]!.start).toBeGreaterThanOrEqual(runs[0]!.end);
  });

  it('drains gracefully: shows draining, takes nothing new, lets its running task finish, leaves', async () => {
    const worker = await startWorker('w1');
    const running = await delegate('a');
    await taskWhere(running, (t) => t.state === 'running', 'running');
    const draining = worker.drain(30_000);
    await listed('w1', (entry) => entry.state === 'draining', 'draining');
    const waiting = await delegate('b');
    await heartbeats('w1', 2);
    await writeFile(gate('a'), '');
    await draining;
    expect(worker.state).toBe('stopped');
    expect((await store.getOrThrow(running)).state).toBe('completed');
    const notTaken = await store.getOrThrow(waiting);
    expect(notTaken).toMatchObject({ state: 'queued', attempts: [] });
    expect(await registry.listIncludingDead()).toEqual([]);
  });

  it('hands a task still running at the drain timeout back, without spending an attempt, for another worker', async () => {
    const worker = await startWorker('w1');
    const taskId = await delegate('a', { maxAttempts: 1 });
    await taskWhere(taskId, (t) => t.state === 'running', 'running');
    await worker.drain(300);
    const handedBack = await store.getOrThrow(taskId);
    expect(handedBack.state).toBe('queued');
    expect(handedBack.attempts).toEqual([expect.objectContaining({ workerId: 'w1', outcome: 'failed' })]);
    expect((await queue.getJob(taskId))?.attemptsMade).toBe(0);

    await writeFile(gate('a'), '');
    await startWorker('w2');
    const task = await taskWhere(taskId, (t) => t.state === 'completed', 'completed');
    expect(task.attempts.map((attempt) => [attempt.workerId, attempt.outcome])).toEqual([
      ['w1', 'failed'],
      ['w2', 'completed'],
    ]);
  });

  it('kills the agent of a task taken over by another worker, and never reports or merges it', async () => {
    // A long lock: the job is not redelivered to this worker while the test looks.
    const worker = await startWorker('w1', { CLAUDINE_LOCK_DURATION_MS: '30000' });
    const base = await repo.git('rev-parse', 'main');
    const taskId = await delegate('a', { mergeStrategy: 'auto', baseRef: 'main' });
    const [agentPid] = await waitFor(
      async () => {
        const pids = await agentPids('a');
        return pids.length > 0 ? pids : undefined;
      },
      { description: 'the agent started' },
    );
    await taskWhere(taskId, (t) => t.attempts[0]?.agentStartedAtMs !== undefined, 'agent start recorded');

    // Another worker takes the task over (as after a lost lock): attempt 2 is its.
    expect(await store.startAttempt(taskId, { workerId: 'w2', startedAtMs: Date.now() })).toEqual({
      outcome: 'started',
      attemptNumber: 2,
    });
    await waitFor(() => !isProcessAlive(agentPid!), {
      timeoutMs: 5_000,
      description: 'the fenced agent killed',
    });
    await waitFor(
      async () =>
        /claudine_worker_fenced_total\{[^}]*\} 1/.test(await (await fetch(worker.metricsUrl)).text()),
      {
        description: 'the fence counted',
      },
    );
    await listed('w1', (entry) => entry.runningTaskIds.length === 0, 'no task running');

    const task = await store.getOrThrow(taskId);
    expect(task.state).toBe('running');
    expect(task.result).toBeUndefined();
    expect(task.attempts).toEqual([
      expect.objectContaining({
        number: 1,
        workerId: 'w1',
        outcome: 'failed',
        error: expect.stringMatching(/^worker lost/),
      }),
      expect.objectContaining({ number: 2, workerId: 'w2' }),
    ]);
    expect(task.attempts[1]?.outcome).toBeUndefined();
    const events = await readTaskEvents(redis, keys, taskId, 0);
    expect(events.filter((event) => event.type === 'agent.result')).toEqual([]);
    expect(events.at(-1)).toMatchObject({
      type: 'task.state',
      data: { state: 'running', workerId: 'w2', attempt: 2 },
    });
    expect(await repo.git('rev-parse', 'main')).toBe(base);
  });

  it('merges nothing when the attempt is taken over between the end of its agent and the merge', async () => {
    // An agent that does its work and succeeds, but whose task another worker takes over just
    // before it reports: exactly the window the check before merge-back closes.
    const takeoverAtTheEnd: AgentExecutor = {
      name: 'takeover-at-the-end',
      prepare: (request) =>
        Promise.resolve({
          description: 'takeover-at-the-end',
          stop: () => undefined,
          run: async () => {
            await writeFile(path.join(request.cwd, 'late-work.txt'), 'late\n');
            await store.startAttempt(request.taskId, { workerId: 'w2', startedAtMs: Date.now() });
            return {
              exitCode: 0,
              signal: null,
              sessionId: 'late',
              stderrTail: '',
              result: {
                isError: false,
                subtype: 'success',
                text: 'done, too late',
                sessionId: 'late',
                numTurns: 1,
                durationMs: 1,
                costUsd: 0,
                usage: {
                  inputTokens: 0,
                  outputTokens: 0,
                  cacheCreationInputTokens: 0,
                  cacheReadInputTokens: 0,
                },
              },
            };
          },
        }),
    };
    const worker = await startWorker('w1', { CLAUDINE_LOCK_DURATION_MS: '30000' }, takeoverAtTheEnd);
    const base = await repo.git('rev-parse', 'main');
    const taskId = await delegate('a', { mergeStrategy: 'auto', baseRef: 'main' });
    await waitFor(
      async () =>
        /claudine_worker_fenced_total\{[^}]*\} 1/.test(await (await fetch(worker.metricsUrl)).text()),
      {
        description: 'the fence counted',
      },
    );
    const task = await store.getOrThrow(taskId);
    expect(task.state).toBe('running');
    expect(task.result).toBeUndefined();
    expect(task.attempts.map((attempt) => [attempt.workerId, attempt.outcome])).toEqual([
      ['w1', 'failed'],
      ['w2', undefined],
    ]);
    expect(await repo.git('rev-parse', 'main')).toBe(base);
    const events = await readTaskEvents(redis, keys, taskId, 0);
    expect(
      events.some((event) => event.type === 'worker.log' && String(event.data.message).startsWith('merge')),
    ).toBe(false);
  });

  it('stops its agents itself when cut off from Redis for longer than its lock, and reports nothing for them', async () => {
    const worker = await startWorker('w1', {
      CLAUDINE_LOCK_DURATION_MS: '1000',
      CLAUDINE_STALLED_INTERVAL_MS: '60000',
    });
    const taskId = await delegate('a');
    const [agentPid] = await waitFor(
      async () => {
        const pids = await agentPids('a');
        return pids.length > 0 ? pids : undefined;
      },
      { description: 'the agent started' },
    );
    await taskWhere(taskId, (t) => t.state === 'running', 'running');
    // Every client of this Redis waits for 4 s: the worker cannot renew anything.
    const pausedAt = Date.now();
    await redis.call('CLIENT', 'PAUSE', '4000', 'ALL');
    await waitFor(() => !isProcessAlive(agentPid!), {
      timeoutMs: 3_500,
      description: 'the agent self-fenced',
    });
    expect(Date.now() - pausedAt).toBeLessThan(4_000);
    await waitFor(
      async () =>
        /claudine_worker_fenced_total\{[^}]*\} 1/.test(await (await fetch(worker.metricsUrl)).text()),
      {
        description: 'the fence counted',
      },
    );
    // Back: nothing was reported for the fenced attempt; it waits for the stalled check to hand it on.
    const task = await store.getOrThrow(taskId);
    expect(task.state).toBe('running');
    expect(task.attempts).toEqual([expect.objectContaining({ number: 1, workerId: 'w1' })]);
    expect(task.attempts[0]?.outcome).toBeUndefined();
  });

  it('drains on SIGTERM: shows draining, lets its task finish, leaves the registry and exits 0', async () => {
    if (!existsSync(WORKER_MAIN))
      throw new Error(`${WORKER_MAIN} is missing: build it first (npx nx build worker)`);
    const child = spawn(process.execPath, [WORKER_MAIN], {
      env: { ...process.env, ...workerEnv('terminated', { CLAUDINE_DRAIN_TIMEOUT_MS: '30000' }) },
      stdio: 'ignore',
    });
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const taskId = await delegate('a');
    await taskWhere(taskId, (t) => t.state === 'running', 'running');
    child.kill('SIGTERM');
    await listed('terminated', (entry) => entry.state === 'draining', 'draining');
    await writeFile(gate('a'), '');
    expect(await exited).toBe(0);
    expect((await store.getOrThrow(taskId)).state).toBe('completed');
    expect(await registry.listIncludingDead()).toEqual([]);
  });

  it('runs a task again on another worker within 15 s of a SIGKILL, recording the lost attempt', async () => {
    if (!existsSync(WORKER_MAIN))
      throw new Error(`${WORKER_MAIN} is missing: build it first (npx nx build worker)`);
    const doomed = spawn(process.execPath, [WORKER_MAIN], {
      env: { ...process.env, ...workerEnv('doomed', { CLAUDINE_WORKER_CAPACITY: '1' }) },
      stdio: 'ignore',
    });
    children.push(doomed);
    const taskId = await delegate('a');
    await taskWhere(
      taskId,
      (t) => t.state === 'running' && t.attempts[0]?.workerId === 'doomed',
      'running on doomed',
    );
    await waitFor(async () => (await agentPids('a')).length === 1, { description: 'the agent started' });

    const rescuer = await startWorker('rescuer', { CLAUDINE_WORKER_CAPACITY: '1' });
    doomed.kill('SIGKILL');
    const killedAt = Date.now();
    const task = await taskWhere(
      taskId,
      (t) => t.attempts.length === 2 && t.attempts[1]?.workerId === 'rescuer',
      'running again on the rescuer',
      15_000,
    );
    const failoverMs = (task.attempts[1]?.startedAtMs ?? Infinity) - killedAt;
    expect(failoverMs).toBeLessThan(15_000);
    expect(task.attempts[0]).toMatchObject({
      number: 1,
      workerId: 'doomed',
      outcome: 'failed',
      error: expect.stringMatching(/^worker lost/),
    });
    await listed('doomed', (entry) => entry.state === 'dead', 'dead');

    await writeFile(gate('a'), '');
    const done = await taskWhere(taskId, (t) => t.state === 'completed', 'completed');
    expect(done.attempts.map((attempt) => [attempt.workerId, attempt.outcome])).toEqual([
      ['doomed', 'failed'],
      ['rescuer', 'completed'],
    ]);
    // The rescuer counts the attempt that took over; it waited in no queue.
    const metrics = await (await fetch(rescuer.metricsUrl)).text();
    expect(metrics).toMatch(/^claudine_task_failovers_total\{[^}]*\} 1$/m);
    expect(metrics).toMatch(/^claudine_agent_exits_total\{[^}]*reason="completed"[^}]*\} 1$/m);
    expect(metrics).toMatch(/^claudine_task_queue_wait_seconds_count\{[^}]*\} 0$/m);
  });
});
