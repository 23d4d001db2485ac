import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CoordinatorService } from '@claudine/coordinator';
import { AppError, isTerminalState, type Task } from '@claudine/core';
import type { ProtoTaskSpec } from '@claudine/proto';
import {
  closeRedis,
  createKeyspace,
  createTaskQueue,
  readTaskEvents,
  requirementQueueName,
  workerQueueName,
  type TaskStore,
  type TaskQueue,
} from '@claudine/store';
import {
  createTempDir,
  waitFor,
  type GitFixture,
  type RedisHarness,
  type TempDir,
} from '@claudine/testing';
import type { WorkerService } from '@claudine/worker';
import type { Redis } from 'ioredis';
import { ClusterClient } from '../src/client/cluster-client';
import {
  connectTestStore,
  prepareTestGround,
  startTestCoordinator,
  startTestWorker,
  type TestGround,
} from './support/in-process-cluster';

/**
 * Labels and affinity across the real parts: a coordinator (its routing duty with a short
 * affinity wait) and workers in this process on a real Redis, with a stand-in agent. A prompt
 * "gate:<file> ..." keeps its agent running until the test creates the file.
 */
const AGENT = path.join(__dirname, 'fixtures', 'agent-leaves-a-trace.sh');
const AFFINITY_WAIT_MS = 3_000;

describe('labels and affinity', () => {
  let ground: TestGround;
  let redis: RedisHarness;
  let connection: Redis;
  let store: TaskStore;
  let repo: GitFixture;
  let dataDir: TempDir;
  let gates: TempDir;
  let coordinator: CoordinatorService;
  let client: ClusterClient;
  const workers = new Map<string, WorkerService>();
  const queues: TaskQueue[] = [];
  let gateCount = 0;

  async function startWorker(id: string, labels: string[] = []): Promise<WorkerService> {
    const worker = await startTestWorker(redis, {
      id,
      dataDir: path.join(dataDir.path, id),
      agent: AGENT,
      // One task at a time: "busy" means busy.
      capacity: 1,
      env: {
        CLAUDINE_WORKER_LABELS: labels.join(','),
        // The machine's load must not decide who runs what here.
        CLAUDINE_AGENT_CPU: '0',
        CLAUDINE_AGENT_MEMORY: '0',
        CLAUDINE_SPAWN_INTERVAL_MS: '0',
      },
    });
    workers.set(id, worker);
    return worker;
  }

  async function stopWorker(id: string): Promise<void> {
    await workers.get(id)?.close();
    workers.delete(id);
  }

  beforeAll(async () => {
    ground = await prepareTestGround({ readme: '# affinity\n', dataDirPrefix: 'claudine-affinity-' });
    ({ redis, repo, dataDir } = ground);
    ({ connection, store } = connectTestStore(redis));
    gates = await createTempDir('claudine-affinity-gates-');
    coordinator = await startTestCoordinator(redis, { CLAUDINE_AFFINITY_WAIT_MS: String(AFFINITY_WAIT_MS) });
    client = ClusterClient.connect(coordinator.grpcAddress);
    await startWorker('plain');
    await startWorker('gpu', ['gpu']);
  }, 60_000);

  afterAll(async () => {
    client.close();
    for (const id of [...workers.keys()]) await stopWorker(id);
    await coordinator.close();
    await Promise.all(queues.map((queue) => queue.close()));
    await closeRedis(connection);
    await gates.remove();
    await ground.remove();
  }, 60_000);

  const delegate = (prompt: string, spec: Partial<ProtoTaskSpec> = {}): Promise<Task> =>
    client.delegate({ prompt, repository: repo.path, ...spec });

  function gate(): { prompt: (text: string) => string; open: () => Promise<void> } {
    const file = path.join(gates.path, `gate-${++gateCount}`);
    return { prompt: (text) => `gate:${file} ${text}`, open: () => writeFile(file, '') };
  }

  function ended(taskId: string, timeoutMs = 20_000): Promise<Task> {
    return waitFor(
      async () => {
        const task = await store.get(taskId);
        return task && isTerminalState(task.state) ? task : undefined;
      },
      { timeoutMs, description: `task ${taskId} to end` },
    );
  }

  function running(taskId: string): Promise<Task> {
    return waitFor(
      async () => {
        const task = await store.get(taskId);
        return task?.state === 'running' ? task : undefined;
      },
      { description: `task ${taskId} to run` },
    );
  }

  const workerOf = (task: Task): string | undefined => task.attempts.at(-1)?.workerId;

  async function messages(taskId: string): Promise<string[]> {
    const events = await readTaskEvents(connection, createKeyspace(redis.keyPrefix), taskId, 0);
    return events.flatMap((event) => (event.type === 'worker.log' ? [event.data.message] : []));
  }

  function queue(name: string): TaskQueue {
    const opened = createTaskQueue(connection, createKeyspace(redis.keyPrefix), name);
    queues.push(opened);
    return opened;
  }

  it('runs a task that requires labels only on a worker that has them', async () => {
    const tasks = await Promise.all(
      Array.from({ length: 3 }, (_, i) => delegate(`needs a gpu ${i}`, { requires: ['GPU'] })),
    );
    // Work for the other worker too, so it is free to take anything it is allowed to.
    const plain = await Promise.all(Array.from({ length: 3 }, (_, i) => delegate(`anywhere ${i}`)));
    for (const task of tasks) expect(task.spec.requires).toEqual(['gpu']);
    const done = await Promise.all(tasks.map((task) => ended(task.id)));
    await Promise.all(plain.map((task) => ended(task.id)));
    for (const task of done) {
      expect(task.state).toBe('completed');
      expect(task.attempts.map((attempt) => attempt.workerId)).toEqual(['gpu']);
    }
  });

  it('routes a dependent by its labels when its dependencies release it', async () => {
    const first = await delegate('first, anywhere');
    const second = await delegate('second, on a gpu', { dependsOn: [first.id], requires: ['gpu'] });
    const done = await ended(second.id);
    expect(done.state).toBe('completed');
    expect(done.attempts.map((attempt) => attempt.workerId)).toEqual(['gpu']);
  });

  it('keeps a task no live worker can take queued, says why, and runs it when such a worker starts', async () => {
    const task = await delegate('needs a tpu', { requires: ['tpu', 'repo:web'] });
    expect(task.state).toBe('queued');
    expect(task.waitingReason).toBe('no live worker has labels: repo:web, tpu');
    expect((await client.get(task.id)).waitingReason).toBe('no live worker has labels: repo:web, tpu');
    expect(await messages(task.id)).toContain('waiting: no live worker has labels: repo:web, tpu');

    await startWorker('tpu', ['tpu', 'repo:web', 'os:linux']);
    const done = await ended(task.id);
    expect(done.state).toBe('completed');
    expect(workerOf(done)).toBe('tpu');
    expect(done.waitingReason).toBeUndefined();
    await stopWorker('tpu');
  });

  it('runs a task with affinity to an earlier task on the worker that ran it', async () => {
    // Pinned to `gpu` by its labels; the ones after it only prefer that worker.
    const first = await ended((await delegate('warm the cache', { requires: ['gpu'] })).id);
    expect(workerOf(first)).toBe('gpu');
    for (let i = 0; i < 3; i++) {
      const next = await ended((await delegate(`use the cache ${i}`, { affinity: first.id })).id);
      expect(next.state).toBe('completed');
      expect(next.attempts.map((attempt) => attempt.workerId)).toEqual(['gpu']);
    }
  });

  it('falls back to another worker, exactly once, when the preferred one stays busy past the wait', async () => {
    // A key: the worker that last started a task with it is `gpu`.
    const warm = await ended((await delegate('warm', { requires: ['gpu'], affinity: 'build-cache' })).id);
    expect(workerOf(warm)).toBe('gpu');
    // Keep `gpu` busy.
    const g = gate();
    const blocker = await delegate(g.prompt('hold the gpu worker'), { requires: ['gpu'] });
    await running(blocker.id);

    const preferring = await delegate('prefers the gpu worker', { affinity: 'build-cache' });
    const moved = await ended(preferring.id, AFFINITY_WAIT_MS + 15_000);
    expect(moved.state).toBe('completed');
    expect(moved.attempts.map((attempt) => attempt.workerId)).toEqual(['plain']);
    expect(
      (await messages(preferring.id)).some((message) => message.startsWith('moved to queue tasks:')),
    ).toBe(true);
    // Its job left the preferred worker's queue: nothing there runs it a second time.
    expect(await queue(workerQueueName('gpu')).getJob(preferring.id)).toBeUndefined();

    await g.open();
    expect((await ended(blocker.id)).state).toBe('completed');
    expect((await store.getOrThrow(preferring.id)).attempts).toHaveLength(1);
  });

  it('moves a same-session resume off a worker that left before taking it', async () => {
    await startWorker('temp', ['temp']);
    const previous = await ended((await delegate('leave a session', { requires: ['temp'] })).id);
    expect(workerOf(previous)).toBe('temp');
    // Busy, so the resume waits in its queue; then the worker goes away.
    const g = gate();
    const blocker = await delegate(g.prompt('hold the temp worker'), { requires: ['temp'] });
    await running(blocker.id);
    const resumed = await client.resume(previous.id, 'carry on');
    expect(resumed.mode).toBe('same_session');
    await g.open();
    await stopWorker('temp');

    // Its labels still apply: it waits for a worker with `temp`, saying so, then runs there anew.
    const waiting = await waitFor(
      async () => {
        const task = await store.get(resumed.task.id);
        return task?.waitingReason ? task : undefined;
      },
      { timeoutMs: 15_000, description: 'the resumed task to wait for a temp worker' },
    );
    expect(waiting.state).toBe('queued');
    expect(await messages(resumed.task.id)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^moved to queue tasks-req-[0-9a-f]{16}: worker temp is not alive/),
      ]),
    );
    await startWorker('temp-2', ['temp']);
    const done = await ended(resumed.task.id);
    expect(done.state).toBe('completed');
    expect(done.attempts.map((attempt) => attempt.workerId)).toEqual(['temp-2']);
    expect(await queue(requirementQueueName(['temp'])).getJob(resumed.task.id)).toBeDefined();
    await stopWorker('temp-2');
  });

  it.each([
    [{ requires: ['gpu', 'not a label'] }, 'spec.requires.1'],
    [{ requires: Array.from({ length: 17 }, (_, i) => `l${i}`) }, 'spec.requires'],
    [{ affinity: 'x'.repeat(129) }, 'spec.affinity'],
    [{ affinity: 'has spaces' }, 'spec.affinity'],
  ])('refuses %j as INVALID_ARGUMENT naming %s', async (spec, field) => {
    const refusal = await delegate('bad', spec).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(AppError);
    expect((refusal as AppError).code).toBe('INVALID_ARGUMENT');
    expect((refusal as AppError).message.startsWith(`${field}:`)).toBe(true);
  });
});
