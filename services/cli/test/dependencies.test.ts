import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CoordinatorService } from '@claudine/coordinator';
import { isTerminalState, type Task } from '@claudine/core';
import type { ProtoTaskSpec } from '@claudine/proto';
import { closeRedis, createKeyspace, readTaskEvents, type TaskStore } from '@claudine/store';
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
 * Task dependencies across the real parts: a coordinator (gRPC, the releaser) and a worker (in
 * this process) on a real Redis, a real repository, and a stand-in agent that leaves a file per
 * task holding the prompt it saw.
 */
const AGENT = path.join(__dirname, 'fixtures', 'agent-leaves-a-trace.sh');

describe('task dependencies', () => {
  let ground: TestGround;
  let redis: RedisHarness;
  let connection: Redis;
  let store: TaskStore;
  let repo: GitFixture;
  let dataDir: TempDir;
  let gates: TempDir;
  let coordinator: CoordinatorService | undefined;
  let worker: WorkerService;
  let client: ClusterClient;
  let gateCount = 0;

  async function startCoordinator(): Promise<CoordinatorService> {
    const started = await startTestCoordinator(redis);
    client?.close();
    client = ClusterClient.connect(started.grpcAddress);
    return started;
  }

  beforeAll(async () => {
    ground = await prepareTestGround({ readme: '# dependencies\n', dataDirPrefix: 'claudine-deps-' });
    ({ redis, repo, dataDir } = ground);
    ({ connection, store } = connectTestStore(redis));
    gates = await createTempDir('claudine-gates-');
    coordinator = await startCoordinator();
    worker = await startTestWorker(redis, { id: 'deps-worker', dataDir: dataDir.path, agent: AGENT });
  }, 60_000);

  afterAll(async () => {
    client.close();
    await worker.close();
    await coordinator?.close();
    await closeRedis(connection);
    await gates.remove();
    await ground.remove();
  }, 60_000);

  const delegate = async (prompt: string, spec: Partial<ProtoTaskSpec> = {}): Promise<Task> =>
    client.delegate({ prompt, repository: repo.path, ...spec });

  /** A file whose creation lets an agent given "gate:<file>" finish. */
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

  it('holds a dependent, blocked with what it waits for, until its dependency completes', async () => {
    const g = gate();
    const first = await delegate(g.prompt('first'));
    const second = await delegate('second', { dependsOn: [first.id] });
    expect(second.state).toBe('blocked');
    expect(second.dependencies).toEqual([{ taskId: first.id, state: 'pending' }]);
    expect((await client.get(first.id)).dependents).toEqual([second.id]);

    await g.open();
    const done = await ended(second.id);
    expect(done.state).toBe('completed');
    expect(done.dependencies).toEqual([{ taskId: first.id, state: 'completed' }]);
    const events = await readTaskEvents(connection, createKeyspace(redis.keyPrefix), second.id, 0);
    expect(events.map((event) => event.type).slice(0, 4)).toEqual([
      'task.state',
      'dependency.resolved',
      'task.state',
      'task.state',
    ]);
    expect(events[2]?.data).toEqual({ state: 'queued', reason: 'its dependencies are done' });
    // A dependency that already completed resolves at once: queued, not blocked.
    expect((await delegate('third', { dependsOn: [first.id] })).state).not.toBe('blocked');
  });

  it('fails a chain of dependents when a dependency fails, and runs a continue one, told why', async () => {
    const g = gate();
    const root = await delegate(g.prompt('please fail'));
    const child = await delegate('child', { dependsOn: [root.id] });
    const grandchild = await delegate('grandchild', { dependsOn: [child.id] });
    const stubborn = await delegate('stubborn', { dependsOn: [root.id], onDependencyFailure: 'continue' });
    await g.open();
    expect(await ended(child.id)).toMatchObject({
      state: 'failed',
      error: { code: 'DEPENDENCY_FAILED', message: `dependency ${root.id} failed` },
    });
    expect(await ended(grandchild.id)).toMatchObject({
      state: 'failed',
      error: { message: `dependency ${child.id} failed` },
    });
    expect(await ended(stubborn.id)).toMatchObject({ state: 'completed' });
    // The agent was told which dependency failed, and how.
    const prompt = await repo.git('show', `claudine/${stubborn.id}:${stubborn.id}.txt`);
    expect(prompt).toContain('some dependencies of this task did not complete');
    expect(prompt).toContain(`- ${root.id} failed: AGENT_FAILED`);
  });

  it('cancels the dependents whose policy is cancel when their dependency is cancelled', async () => {
    const g = gate();
    const root = await delegate(g.prompt('never finishes'));
    const dependent = await delegate('dependent', { dependsOn: [root.id], onDependencyFailure: 'cancel' });
    await client.cancel(root.id, 'not needed');
    expect(await ended(dependent.id)).toMatchObject({
      state: 'cancelled',
      cancelReason: `dependency ${root.id} cancelled`,
    });
    await g.open();
  });

  it("builds a chain of five tasks with continueFrom, each on the last one's branch and result", async () => {
    const ids: string[] = [];
    for (let step = 1; step <= 5; step++) {
      const task = await delegate(`step ${step}`, step === 1 ? {} : { continueFrom: ids[step - 2] });
      ids.push(task.id);
    }
    const last = await ended(ids[4]!, 30_000);
    expect(last.state).toBe('completed');
    const files = (await repo.git('ls-tree', '--name-only', `claudine/${last.id}`)).split('\n');
    for (const id of ids) expect(files).toContain(`${id}.txt`);
    // Each step saw the one before: its result text is in the prompt.
    const third = await repo.git('show', `claudine/${ids[2]}:${ids[2]}.txt`);
    expect(third).toContain(`builds on task ${ids[1]}`);
    expect(third).toContain(`done by ${ids[1]}`);
  }, 40_000);

  it('refuses continueFrom with a base ref, and a dependency that does not exist', async () => {
    const first = await delegate('first');
    await expect(delegate('x', { continueFrom: first.id, baseRef: 'main' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('spec.baseRef'),
    });
    await expect(
      delegate('x', { dependsOn: ['task-00000000-0000-4000-8000-000000000000'] }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('unknown task') });
  });

  it('releases a dependent whose dependency ended while no coordinator ran, once one is back', async () => {
    const g = gate();
    const root = await delegate(g.prompt('outlives the coordinator'));
    const dependent = await delegate('after the outage', { dependsOn: [root.id] });
    await coordinator?.close();
    coordinator = undefined;

    await g.open();
    expect((await ended(root.id)).state).toBe('completed');
    // Nobody to queue it: it waits, ready.
    const waiting = await store.getOrThrow(dependent.id);
    expect(waiting.state).toBe('blocked');
    expect(waiting.dependencies).toEqual([{ taskId: root.id, state: 'completed' }]);

    coordinator = await startCoordinator();
    expect((await ended(dependent.id)).state).toBe('completed');
  }, 40_000);
});
