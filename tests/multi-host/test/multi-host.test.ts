import { writeFile } from 'node:fs/promises';
import type { Task } from '@claudine/core';
import {
  createGitRepository,
  createTempDir,
  isProcessAlive,
  waitFor,
  type GitFixture,
  type TempDir,
} from '@claudine/testing';
import { KEY_PREFIX, MultiHostCluster } from './support/cluster';
import { checkNamespaces, HostNetwork } from './support/host-network';

/**
 * The cluster on several hosts: each of Redis, two coordinators and three workers in its own
 * network namespace, linked by veth pairs to one bridge, talking over those links only. Real
 * processes from the builds; the agent is a shell stand-in that can be held on a gate file.
 */
const HOSTS = ['redis', 'coord1', 'coord2', 'w1', 'w2', 'w3'] as const;
/** Issue 7: a dead worker's task runs elsewhere, and a dead coordinator's lease moves, within this. */
const FAILOVER_LIMIT_MS = 15_000;

const preflight = checkNamespaces();

if (!preflight.ok) {
  // Not a skip: the run says, once and plainly, that this suite proved nothing here, and why.
  process.stderr.write(`multi-host suite did not run: ${preflight.reason}\n`);
  describe('multi-host suite', () => {
    it(`did not run: ${preflight.reason}`, () => {
      // CLAUDINE_MULTI_HOST_REQUIRED=1 turns "could not run" into a failure (a CI box that must prove it).
      expect({
        required: process.env.CLAUDINE_MULTI_HOST_REQUIRED === '1',
        reason: preflight.reason,
      }).toEqual({
        required: false,
        reason: preflight.reason,
      });
    });
  });
} else {
  describe('multi-host: the cluster across network namespaces', () => {
    let network: HostNetwork;
    let dir: TempDir;
    let repo: GitFixture;
    let cluster: MultiHostCluster;

    beforeAll(async () => {
      network = await HostNetwork.create(HOSTS);
    });

    afterAll(async () => {
      await network?.destroy();
    });

    beforeEach(async () => {
      dir = await createTempDir('claudine-multi-host-');
      repo = await createGitRepository();
      cluster = new MultiHostCluster(network, dir.path);
      await cluster.startRedis();
    });

    afterEach(async () => {
      await network.restoreLinks();
      await cluster.stop();
      await repo.remove();
      await dir.remove();
    });

    /** The test, with the output of every process it started added to its failure. */
    function diagnosed(test: () => Promise<void>): () => Promise<void> {
      return async () => {
        try {
          await test();
        } catch (error) {
          if (error instanceof Error) error.message += `\n\nprocess output (tails):\n${cluster.describe()}`;
          throw error;
        }
      };
    }

    /** The number of commits on main that touched a task's file. */
    async function commitsTouching(file: string): Promise<number> {
      const log = await repo.git('log', '--format=%H', 'main', '--', file);
      return log === '' ? 0 : log.split('\n').length;
    }

    it(
      'spreads tasks across workers',
      diagnosed(async () => {
        const coordinator = await cluster.startCoordinator('coord1');
        const client = cluster.client(coordinator);
        await Promise.all(['w1', 'w2', 'w3'].map((host) => cluster.startWorker(host)));
        const ids: string[] = [];
        for (let i = 0; i < 6; i++) {
          ids.push(
            (
              await client.delegate({
                prompt: cluster.prompt(`spread ${i}`, 'spread'),
                repository: repo.path,
              })
            ).id,
          );
        }
        // Capacity 1 each and every agent held: three run at once, one on each worker.
        const holding = await waitFor(
          async () => {
            const started = (await cluster.agentSteps()).filter((step) => step.step === 'start');
            return new Set(started.map((step) => step.workerId)).size === 3 ? started : undefined;
          },
          {
            timeoutMs: 30_000,
            intervalMs: 100,
            description: 'an agent running on each of the three workers',
          },
        );
        expect(holding).toHaveLength(3);
        await writeFile(cluster.gate('spread'), '');
        const tasks = await Promise.all(
          ids.map((id) => cluster.waitForState(client, id, ['completed', 'failed'], 60_000)),
        );
        for (const task of tasks)
          expect({ id: task.id, state: task.state }).toEqual({ id: task.id, state: 'completed' });
        const ranOn = new Set(tasks.flatMap((task) => task.attempts.map((attempt) => attempt.workerId)));
        expect([...ranOn].sort()).toEqual(['w1', 'w2', 'w3']);
      }),
    );

    it(
      "runs a SIGKILLed worker's task again on another worker within 15 s, the lost attempt recorded",
      diagnosed(async () => {
        const client = cluster.client(await cluster.startCoordinator('coord1'));
        await Promise.all(['w1', 'w2', 'w3'].map((host) => cluster.startWorker(host)));
        const task = await client.delegate({
          prompt: cluster.prompt('failover', 'failover'),
          repository: repo.path,
        });
        const first = await cluster.agentStarted(task.id);

        const killedAtMs = await cluster.worker(first.workerId).kill();
        const second = await waitFor(
          async () => {
            const attempt = (await client.get(task.id)).attempts[1];
            return attempt && attempt.workerId !== first.workerId ? attempt : undefined;
          },
          {
            timeoutMs: FAILOVER_LIMIT_MS + 10_000,
            intervalMs: 50,
            description: `a second attempt of ${task.id} on another worker`,
          },
        );
        const failoverMs = second.startedAtMs - killedAtMs;
        process.stderr.write(`multi-host: SIGKILL → running on ${second.workerId} after ${failoverMs} ms\n`);
        expect(failoverMs).toBeLessThan(FAILOVER_LIMIT_MS);

        // The killed worker's agent outlives it, still held on the gate: end it before opening the gate.
        await cluster.killAgent(first.pid);
        await writeFile(cluster.gate('failover'), '');
        const done = await cluster.waitForState(client, task.id, ['completed', 'failed']);
        expect(done.state).toBe('completed');
        expect(done.attempts).toEqual([
          expect.objectContaining({
            number: 1,
            workerId: first.workerId,
            outcome: 'failed',
            error: expect.stringMatching(/^worker lost/),
          }),
          expect.objectContaining({ number: 2, workerId: second.workerId, outcome: 'completed' }),
        ]);
      }),
    );

    it(
      'fences a worker cut off past its lock: its agent is killed and exactly one result is applied',
      diagnosed(async () => {
        const client = cluster.client(await cluster.startCoordinator('coord1'));
        // w2 alone first, so that w2 is the one holding the task.
        await cluster.startWorker('w2');
        const task = await client.delegate({
          prompt: cluster.prompt('fencing', 'fencing'),
          repository: repo.path,
          mergeStrategy: 'auto',
        });
        const cutOff = await cluster.agentStarted(task.id);
        expect(cutOff.workerId).toBe('w2');
        await cluster.startWorker('w1');

        await network.setLink('w2', false);
        const takeover = await cluster.agentStarted(task.id, {
          not: 'w2',
          timeoutMs: FAILOVER_LIMIT_MS + 15_000,
        });
        expect(takeover.workerId).toBe('w1');
        const restoredAtMs = Date.now();
        await network.setLink('w2', true);

        // Fencing: w2 kills its own agent, cut off or once back; it must never get past the gate.
        await waitFor(() => !isProcessAlive(cutOff.pid), {
          timeoutMs: 20_000,
          description: `w2's agent (pid ${cutOff.pid}) killed by its worker`,
        });
        await writeFile(cluster.gate('fencing'), '');
        const done = await cluster.waitForState(client, task.id, ['completed', 'failed']);
        // w2 is back, beating again with nothing running: whatever it would report, it has.
        await waitFor(
          async () => {
            const beat = await cluster.heartbeat('w2');
            return (
              beat &&
              Number(beat.lastHeartbeatMs) > restoredAtMs &&
              (beat.runningTaskIds as string[]).length === 0
            );
          },
          { timeoutMs: 20_000, intervalMs: 100, description: 'w2 back in the registry with no task' },
        );

        const final = await client.get(task.id);
        expect(final.state).toBe('completed');
        expect(final.updatedAtMs).toBe(done.updatedAtMs);
        expect(final.attempts).toEqual([
          expect.objectContaining({
            workerId: 'w2',
            outcome: 'failed',
            error: expect.stringMatching(/^worker lost/),
          }),
          expect.objectContaining({ workerId: 'w1', outcome: 'completed' }),
        ]);
        expect(final.result?.merge?.outcome).toBe('merged');
        const pastGate = (await cluster.agentSteps()).filter(
          (step) => step.step === 'after-gate' && step.taskId === task.id,
        );
        expect(pastGate.map((step) => step.workerId)).toEqual(['w1']);
        expect(await commitsTouching(`${task.id}.txt`)).toBe(1);
        expect((await repo.git('show', `main:${task.id}.txt`)).trim()).toBe(String(takeover.pid));
      }),
    );

    it(
      "moves the coordinator lease to the other coordinator within 15 s of the holder's death",
      diagnosed(async () => {
        const coordinators = await Promise.all([
          cluster.startCoordinator('coord1'),
          cluster.startCoordinator('coord2'),
        ]);
        const leaseKey = `${KEY_PREFIX}:lease:coordinator`;
        const holderId = await waitFor(
          async () => {
            const id = await cluster.redis.get(leaseKey);
            return id === 'coord1' || id === 'coord2' ? id : undefined;
          },
          {
            timeoutMs: FAILOVER_LIMIT_MS,
            intervalMs: 100,
            description: `${leaseKey} held by coord1 or coord2`,
          },
        );
        const holder = coordinators.find((coordinator) => coordinator.id === holderId)!;
        const other = coordinators.find((coordinator) => coordinator.id !== holderId)!;

        const killedAtMs = await holder.process.kill();
        await waitFor(async () => (await cluster.redis.get(leaseKey)) === other.id, {
          timeoutMs: FAILOVER_LIMIT_MS + 5_000,
          intervalMs: 50,
          description: `${leaseKey} to move from ${holder.id} to ${other.id}`,
        });
        const handoverMs = Date.now() - killedAtMs;
        process.stderr.write(
          `multi-host: lease moved from ${holder.id} to ${other.id} after ${handoverMs} ms\n`,
        );
        expect(handoverMs).toBeLessThan(FAILOVER_LIMIT_MS);
      }),
    );

    it(
      'drains on SIGTERM: takes nothing new, finishes what it runs, exits 0',
      diagnosed(async () => {
        const client = cluster.client(await cluster.startCoordinator('coord1'));
        // Capacity 2: without the drain, w1 could take the second task too.
        await cluster.startWorker('w1', {
          CLAUDINE_WORKER_CAPACITY: '2',
          CLAUDINE_DRAIN_TIMEOUT_MS: '60000',
        });
        const held = await client.delegate({
          prompt: cluster.prompt('drained', 'drain'),
          repository: repo.path,
        });
        await cluster.agentStarted(held.id);
        await cluster.startWorker('w2');

        cluster.worker('w1').signal('SIGTERM');
        await waitFor(async () => (await cluster.heartbeat('w1'))?.state === 'draining', {
          timeoutMs: 10_000,
          intervalMs: 100,
          description: 'w1 registered as draining',
        });
        const next = await client.delegate({
          prompt: cluster.prompt('after the drain began'),
          repository: repo.path,
        });
        const nextDone = await cluster.waitForState(client, next.id, ['completed', 'failed']);
        expect(nextDone.attempts.map((attempt) => attempt.workerId)).toEqual(['w2']);
        expect(cluster.worker('w1').running).toBe(true);

        await writeFile(cluster.gate('drain'), '');
        const heldDone = await cluster.waitForState(client, held.id, ['completed', 'failed']);
        expect(heldDone.state).toBe('completed');
        expect(heldDone.attempts).toEqual([
          expect.objectContaining({ workerId: 'w1', outcome: 'completed' }),
        ]);
        const exit = await waitForExit(cluster, 'w1', 15_000);
        expect(exit).toEqual({ code: 0, signal: null });
      }),
    );

    it(
      'hands a task back when the drain times out: it finishes elsewhere without spending an attempt',
      diagnosed(async () => {
        const client = cluster.client(await cluster.startCoordinator('coord1'));
        await cluster.startWorker('w1', { CLAUDINE_DRAIN_TIMEOUT_MS: '2000' });
        // One attempt only: had the hand-back spent it, the task would end failed instead of running again.
        const task = await client.delegate({
          prompt: cluster.prompt('handed back', 'handback'),
          repository: repo.path,
          maxAttempts: 1,
        });
        const first = await cluster.agentStarted(task.id);
        await cluster.startWorker('w2');

        cluster.worker('w1').signal('SIGTERM');
        const exit = await waitForExit(cluster, 'w1', 20_000);
        expect(exit).toEqual({ code: 0, signal: null });
        expect(isProcessAlive(first.pid)).toBe(false);

        await cluster.agentStarted(task.id, { not: 'w1' });
        await writeFile(cluster.gate('handback'), '');
        const done: Task = await cluster.waitForState(client, task.id, ['completed', 'failed']);
        expect({ state: done.state, error: done.error }).toEqual({ state: 'completed', error: undefined });
        // The handed-back attempt is on record (ended by the shutdown), not as a lost worker.
        expect(done.attempts).toEqual([
          expect.objectContaining({ workerId: 'w1', error: expect.not.stringMatching(/^worker lost/) }),
          expect.objectContaining({ workerId: 'w2', outcome: 'completed' }),
        ]);
        const pastGate = (await cluster.agentSteps()).filter(
          (step) => step.step === 'after-gate' && step.taskId === task.id,
        );
        expect(pastGate.map((step) => step.workerId)).toEqual(['w2']);
      }),
    );
  });
}

function waitForExit(cluster: MultiHostCluster, host: string, timeoutMs: number) {
  const worker = cluster.worker(host);
  return waitFor(
    async () => {
      if (worker.running) return undefined;
      return worker.exited;
    },
    { timeoutMs, intervalMs: 100, description: `worker ${host} to exit` },
  );
}
