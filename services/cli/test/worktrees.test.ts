import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { CoordinatorService } from '@claudine/coordinator';
import {
  waitFor,
  type GitFixture,
  type TempDir,
} from '@claudine/testing';
import { formatByteSize, parseByteSize } from '@claudine/core';
import { formatAge, WorktreesGcFlagsSchema } from '../src/commands/worktree-commands';
import { parseFlags } from '../src/flags';
import { startInProcessCluster, type InProcessCluster } from './support/in-process-cluster';

/**
 * `claudine worktrees list|gc` from the built CLI, against a real coordinator and a real worker
 * (in this process) on a real Redis: a task kept its worktree, the CLI lists it, a dry run
 * removes nothing, a collection removes it and its branch stays.
 */
const CLI = path.resolve(__dirname, '../dist/main.js');
const AGENT = path.join(__dirname, 'fixtures', 'durable-agent.sh');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

interface ListedWorktree {
  workerId: string;
  taskId: string;
  path: string;
  repository: string;
  branch: string;
  sizeBytes: number;
  modifiedAtMs: number;
  inUse: boolean;
}

const exists = (target: string): Promise<boolean> =>
  stat(target).then(
    () => true,
    () => false,
  );

describe('claudine worktrees', () => {
  let cluster: InProcessCluster | undefined;
  let repo: GitFixture;
  let dataDir: TempDir;
  let coordinator: CoordinatorService;
  let taskId: string;

  function claudine(...args: string[]): Promise<CliRun> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [CLI, '--address', coordinator.grpcAddress, ...args],
        { cwd: repo.path, timeout: 60_000 },
        (error, stdout, stderr) => {
          const code = error && typeof error.code === 'number' ? error.code : error ? 99 : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  async function listed(): Promise<{ worktrees: ListedWorktree[]; workersWithoutInventory: string[] }> {
    const run = await claudine('worktrees', 'list', '--json');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(run.stdout) as { worktrees: ListedWorktree[]; workersWithoutInventory: string[] };
  }

  beforeAll(async () => {
    cluster = await startInProcessCluster({
      readme: '# worktrees\n',
      dataDirPrefix: 'claudine-cli-worktrees-',
      worker: { id: 'cli-worker', agent: AGENT },
    });
    ({ repo, dataDir, coordinator } = cluster);
    const run = await claudine(
      'delegate',
      'keep it',
      '--repo',
      repo.path,
      '--worktree',
      'keep',
      '--wait',
      '--json',
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    taskId = (JSON.parse(run.stdout) as { id: string }).id;
  }, 60_000);

  afterAll(async () => {
    await cluster?.close();
  });

  it('lists the worktree a task kept, as JSON and as a table', async () => {
    // The worker publishes its inventory right after the task ends.
    const worktree = await waitFor(
      async () => (await listed()).worktrees.find((candidate) => candidate.taskId === taskId),
      { description: 'the kept worktree in `claudine worktrees list`' },
    );
    expect(worktree).toEqual({
      workerId: 'cli-worker',
      taskId,
      path: path.join(dataDir.path, 'worktrees', taskId),
      repository: repo.path,
      branch: `claudine/${taskId}`,
      sizeBytes: expect.any(Number),
      modifiedAtMs: expect.any(Number),
      inUse: false,
    });
    expect(worktree.sizeBytes).toBeGreaterThan(0);
    expect(Date.now() - worktree.modifiedAtMs).toBeLessThan(60_000);
    expect((await listed()).workersWithoutInventory).toEqual([]);

    const table = await claudine('worktrees', 'list', '--worker', 'cli-worker');
    expect(table.code).toBe(0);
    const [header, row] = table.stdout.trim().split('\n');
    expect(header).toMatch(/^WORKER\s+TASK\s+BRANCH\s+SIZE\s+AGE\s+IN USE\s+PATH$/);
    expect(row?.split(/\s{2,}/)).toEqual([
      'cli-worker',
      taskId,
      `claudine/${taskId}`,
      expect.stringMatching(/^\d+(\.\d)? (B|KiB)$/),
      expect.stringMatching(/^\d+[smhd]/),
      'no',
      worktree.path,
    ]);
  });

  it.each([
    [['--max-age', 'abc'], /^claudine: --max-age: "abc" is not a duration/],
    [['--max-age', '0'], /^claudine: --max-age: 0 would mean/],
    [['--max-count', 'many'], /^claudine: --max-count: must be a whole number/],
    [['--max-size', '5XB'], /^claudine: --max-size: "5XB" is not a size/],
  ])(
    'refuses worktrees gc %j with exit 2, naming the option, before asking anyone',
    async (args, message) => {
      const run = await claudine('worktrees', 'gc', ...args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
    },
  );

  it('refuses a worker that is not live with exit 4, naming worker_id', async () => {
    for (const command of ['list', 'gc']) {
      const run = await claudine('worktrees', command, '--worker', 'no-such-worker');
      expect(run.code).toBe(4);
      expect(run.stderr).toMatch(/^claudine: worker_id: no live worker "no-such-worker"/);
    }
  });

  it('reports in a dry run, then removes the worktree past the age; its branch stays', async () => {
    const worktreePath = path.join(dataDir.path, 'worktrees', taskId);
    await waitFor(async () => (await listed()).worktrees.some((candidate) => candidate.taskId === taskId), {
      description: 'the kept worktree listed',
    });

    const dryRun = await claudine('worktrees', 'gc', '--max-age', '1ms', '--dry-run', '--json');
    expect(dryRun).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(dryRun.stdout)).toEqual([
      {
        workerId: 'cli-worker',
        removed: [expect.objectContaining({ workerId: 'cli-worker', taskId, path: worktreePath })],
        kept: 0,
        freedBytes: expect.any(Number),
        error: '',
      },
    ]);
    expect(await exists(worktreePath)).toBe(true);
    expect((await listed()).worktrees.map((worktree) => worktree.taskId)).toEqual([taskId]);

    const collect = await claudine('worktrees', 'gc', '--worker', 'cli-worker', '--max-age', '1ms');
    expect(collect).toMatchObject({ code: 0, stderr: '' });
    expect(collect.stdout).toMatch(/^cli-worker: removed 1 worktree \(\d+(\.\d)? (B|KiB)\), 0 kept\n/);
    expect(collect.stdout).toContain(`  ${taskId}  claudine/${taskId}  `);
    expect(await exists(worktreePath)).toBe(false);
    expect(await repo.git('rev-parse', '--verify', `claudine/${taskId}`)).toMatch(/^[0-9a-f]{40}$/);
    // The inventory is published before the worker answers.
    expect(await listed()).toEqual({ worktrees: [], workersWithoutInventory: [] });
    expect((await claudine('worktrees', 'list')).stdout).toBe('no kept worktrees\n');
  });
});

describe('claudine worktrees gc flags', () => {
  it('reads durations, counts and sizes', () => {
    expect(
      parseFlags(WorktreesGcFlagsSchema, { maxAge: '3d', maxCount: '10', maxSize: '5G', dryRun: true }),
    ).toEqual({ maxAge: 3 * 86_400_000, maxCount: 10, maxSize: 5 * 1024 ** 3, dryRun: true, json: false });
    expect(parseFlags(WorktreesGcFlagsSchema, {})).toEqual({ dryRun: false, json: false });
  });

  it('sizes and ages read the way they print', () => {
    expect(parseByteSize('1.5KiB')).toBe(1536);
    expect(parseByteSize('10 GB')).toBe(10 * 1024 ** 3);
    expect(parseByteSize('lots')).toBeUndefined();
    expect(formatByteSize(512)).toBe('512 B');
    expect(formatByteSize(1536)).toBe('1.5 KiB');
    expect(formatByteSize(5 * 1024 ** 3)).toBe('5.0 GiB');
    expect(formatByteSize(300 * 1024 ** 2)).toBe('300 MiB');
    expect(formatAge(45_000)).toBe('45s');
    expect(formatAge(2 * 3_600_000)).toBe('2h');
    expect(formatAge(3 * 86_400_000 + 4 * 3_600_000)).toBe('3d4h');
  });
});
