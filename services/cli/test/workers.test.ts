import { execFile } from 'node:child_process';
import path from 'node:path';
import type { CoordinatorService } from '@claudine/coordinator';
import type { WorkerService } from '@claudine/worker';
import { createTempDir, startRedis, waitFor, type RedisHarness, type TempDir } from '@claudine/testing';
import { EXIT } from '../src/output';
import { startTestCoordinator, startTestWorker } from './support/in-process-cluster';

/**
 * `claudine workers` and `claudine workers drain <id> [--undo]` from the built CLI, against a
 * real coordinator and a real worker (in this process) on a real Redis.
 */
const CLI = path.resolve(__dirname, '../dist/main.js');
const AGENT = path.join(__dirname, 'fixtures', 'durable-agent.sh');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

interface ListedWorker {
  id: string;
  state: string;
  labels: string[];
  capacity: number;
  maxCapacity: number;
  cpus: number;
  freeMemoryBytes: number;
  drainRequested: boolean;
}

describe('claudine workers', () => {
  let redis: RedisHarness;
  let dataDir: TempDir;
  let coordinator: CoordinatorService;
  let worker: WorkerService;

  function claudine(...args: string[]): Promise<CliRun> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [CLI, '--address', coordinator.grpcAddress, ...args],
        { timeout: 60_000 },
        (error, stdout, stderr) => {
          const code = error && typeof error.code === 'number' ? error.code : error ? 99 : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  async function listedWorker(): Promise<ListedWorker | undefined> {
    const run = await claudine('workers', '--json');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    return (JSON.parse(run.stdout) as ListedWorker[]).find((entry) => entry.id === 'cli-worker');
  }

  beforeAll(async () => {
    redis = await startRedis();
    dataDir = await createTempDir('claudine-cli-workers-');
    coordinator = await startTestCoordinator(redis);
    worker = await startTestWorker(redis, {
      id: 'cli-worker',
      dataDir: dataDir.path,
      agent: AGENT,
      capacity: 3,
      env: { CLAUDINE_WORKER_LABELS: 'gpu,repo:web' },
    });
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await coordinator?.close();
    await dataDir?.remove();
    await redis?.stop();
  });

  it('lists the worker with its state, capacity, machine and labels', async () => {
    expect(await listedWorker()).toMatchObject({
      id: 'cli-worker',
      state: 'running',
      labels: ['gpu', 'repo:web'],
      capacity: 3,
      maxCapacity: 3,
      drainRequested: false,
    });
    const table = await claudine('workers');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /^cli-worker {2}running {2}running 0\/3 \(max 3\) {2}load \d+\.\d\d\/\d+ cpus {2}free [\d.]+ \w+ {2}labels gpu,repo:web {2}/m,
    );
  });

  it('drains a worker and takes the drain back', async () => {
    const drained = await claudine('workers', 'drain', 'cli-worker');
    expect(drained).toMatchObject({ code: 0, stderr: '' });
    expect(drained.stdout).toContain('cli-worker is draining');
    await waitFor(async () => (await listedWorker())?.state === 'draining', {
      description: 'the worker listed as draining',
    });
    expect((await listedWorker())?.drainRequested).toBe(true);

    const undone = await claudine('workers', 'drain', 'cli-worker', '--undo');
    expect(undone).toMatchObject({ code: 0, stdout: 'cli-worker takes new tasks again\n' });
    await waitFor(async () => (await listedWorker())?.state === 'running', {
      description: 'the worker listed as running again',
    });
  });

  it('refuses to drain a worker the registry does not know', async () => {
    const run = await claudine('workers', 'drain', 'nobody');
    expect(run.code).toBe(EXIT.refused);
    expect(run.stderr).toContain('nobody');
  });
});
