import { execFile } from 'node:child_process';
import path from 'node:path';
import type { CoordinatorService } from '@claudine/coordinator';
import type { Task } from '@claudine/core';
import {
  waitFor,
  type GitFixture,
} from '@claudine/testing';
import { startInProcessCluster, type InProcessCluster } from './support/in-process-cluster';

/**
 * `claudine schedule ...` and `claudine pipeline` from the built CLI, against a real coordinator
 * and a real worker (in this process) on a real Redis, with a stand-in agent that leaves a file
 * named after its task.
 */
const CLI = path.resolve(__dirname, '../dist/main.js');
const AGENT = path.join(__dirname, 'fixtures', 'agent-leaves-a-trace.sh');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

interface ScheduleJson {
  id: string;
  state: string;
  stateReason: string;
  runCount: number;
  nextFireTimesMs: number[];
  spec: { everyMs: number; maxRuns?: number; timeZone: string };
  history: { fireTimeMs: number; queuedAtMs: number; taskId: string; outcome: string; reason: string }[];
}

describe('claudine schedule and pipeline', () => {
  let cluster: InProcessCluster | undefined;
  let repo: GitFixture;
  let coordinator: CoordinatorService;

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

  async function scheduleJson(id: string): Promise<ScheduleJson> {
    const run = await claudine('schedule', 'get', id, '--json');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(run.stdout) as ScheduleJson;
  }

  beforeAll(async () => {
    cluster = await startInProcessCluster({
      readme: '# schedules from the CLI\n',
      dataDirPrefix: 'claudine-cli-schedules-',
      worker: { id: 'cli-schedule-worker', agent: AGENT },
    });
    ({ repo, coordinator } = cluster);
  }, 60_000);

  afterAll(async () => {
    await cluster?.close();
  }, 60_000);

  it('runs an every-second schedule twice, then shows it completed, with its history', async () => {
    const created = await claudine(
      'schedule',
      'create',
      'scheduled from the CLI',
      '--every',
      '1s',
      '--max-runs',
      '2',
      '--concurrency',
      'allow',
    );
    expect(created.code).toBe(0);
    // stdout is the id alone, for scripts; the next runs (two left) go to stderr, in UTC.
    const id = created.stdout.trim();
    expect(id).toMatch(/^sched-[0-9a-f-]{36}$/);
    const next = created.stderr.trim().split('\n');
    expect(next[0]).toBe('next runs:');
    expect(next.slice(1)).toEqual([
      expect.stringMatching(/^ {2}\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})? UTC$/),
      expect.stringMatching(/^ {2}\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})? UTC$/),
    ]);

    const done = await waitFor(
      async () => {
        const current = await scheduleJson(id);
        return current.state === 'completed' ? current : undefined;
      },
      { timeoutMs: 20_000, description: `schedule ${id} completed` },
    );
    expect(done.runCount).toBe(2);
    expect(done.stateReason).toContain('maxRuns');
    expect(done.spec).toMatchObject({ everyMs: 1_000, maxRuns: 2, timeZone: 'UTC' });
    expect(done.spec).not.toHaveProperty('_maxRuns');
    expect(done.nextFireTimesMs).toEqual([]);
    expect(done.history.map((run) => run.outcome)).toEqual(['queued', 'queued']);
    expect(new Set(done.history.map((run) => run.taskId)).size).toBe(2);

    const detail = await claudine('schedule', 'get', id);
    expect(detail.code).toBe(0);
    expect(detail.stdout).toContain('State       completed (reached maxRuns (2))');
    expect(detail.stdout).toContain('Timing      every 1s');
    expect(detail.stdout).toMatch(/FIRE TIME\s+QUEUED AT\s+TASK\s+OUTCOME\s+REASON/);
    for (const run of done.history) expect(detail.stdout).toContain(run.taskId);

    const listed = await claudine('schedule', 'list', '--state', 'completed');
    expect(listed.code).toBe(0);
    const row = listed.stdout.split('\n').find((line) => line.startsWith(id));
    expect(row?.split(/\s{2,}/)).toEqual([id, 'completed', 'every 1s', '2/2', '-']);

    // A completed schedule cannot be paused: exit 4, the state named.
    const pause = await claudine('schedule', 'pause', id);
    expect(pause.code).toBe(4);
    expect(pause.stderr).toMatch(/^claudine: schedule sched-.* is completed: it cannot become paused/);
  }, 40_000);

  it('pauses, resumes and cancels a cron schedule, showing its runs in its time zone', async () => {
    const created = await claudine(
      'schedule',
      'create',
      'nightly',
      '--cron',
      '30 2 * * *',
      '--tz',
      'Europe/Paris',
      '--json',
    );
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const { id, nextFireTimesMs } = JSON.parse(created.stdout) as ScheduleJson;
    expect(nextFireTimesMs).toHaveLength(5);

    const paused = await claudine('schedule', 'pause', id);
    expect(paused).toMatchObject({ code: 0, stdout: `${id} paused\n` });
    const resumed = await claudine('schedule', 'resume', id);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(
      new RegExp(`^${id} active, next run \\d{4}-\\d{2}-\\d{2} 02:30 CES?T \\(Europe/Paris\\)\\n$`),
    );
    const cancelled = await claudine('schedule', 'cancel', id, '--json');
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ id, state: 'cancelled', nextFireTimesMs: [] });

    const unknown = await claudine('schedule', 'get', 'sched-00000000-0000-4000-8000-000000000000');
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toMatch(/^claudine: schedule sched-0+-0000-4000-8000-0+ does not exist/);
  }, 30_000);

  it('refuses a bad cron expression with exit 2, naming --cron, before asking anyone', async () => {
    const before = JSON.parse((await claudine('schedule', 'list', '--json')).stdout) as unknown[];
    const run = await claudine('schedule', 'create', 'x', '--cron', '61 * * * *');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^claudine: --cron: "61 \* \* \* \*" is not a valid cron expression: .*61/);
    expect(run.stdout).toBe('');
    const maxRuns = await claudine('schedule', 'create', 'x', '--every', '1h', '--max-runs', '0');
    expect(maxRuns.code).toBe(2);
    expect(maxRuns.stderr).toMatch(/^claudine: --max-runs: /);
    const after = JSON.parse((await claudine('schedule', 'list', '--json')).stdout) as unknown[];
    expect(after).toHaveLength(before.length);
  }, 30_000);

  it("runs a pipeline of three steps, each on the one before's branch", async () => {
    const run = await claudine('pipeline', 'one', '--then', 'two', '--then', 'three', '--wait', '--json');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const tasks = JSON.parse(run.stdout) as Task[];
    expect(tasks.map((task) => [task.spec.prompt, task.state])).toEqual([
      ['one', 'completed'],
      ['two', 'completed'],
      ['three', 'completed'],
    ]);
    const [first, second, third] = tasks as [Task, Task, Task];
    expect(first.spec.continueFrom).toBeUndefined();
    expect(second.spec.continueFrom).toBe(first.id);
    expect(third.spec.continueFrom).toBe(second.id);

    const branch = `claudine/${third.id}`;
    expect(third.result?.branch).toBe(branch);
    const files = (await repo.git('ls-tree', '--name-only', branch)).split('\n');
    for (const task of tasks) expect(files).toContain(`${task.id}.txt`);
    expect(await repo.git('rev-list', '--count', `main..${branch}`)).toBe('3');
  }, 60_000);

  it('exits 1 when a step of a pipeline fails, and the steps after it fail with it', async () => {
    const run = await claudine('pipeline', 'fine', '--then', 'please fail', '--then', 'never runs', '--wait');
    expect(run.code).toBe(1);
    const summary = run.stdout.trim().split('\n').slice(-3);
    expect(summary.map((line) => line.split(/\s{2,}/).slice(0, 3))).toEqual([
      ['step 1', expect.stringMatching(/^task-/), 'completed'],
      ['step 2', expect.stringMatching(/^task-/), 'failed'],
      ['step 3', expect.stringMatching(/^task-/), 'failed'],
    ]);
    expect(summary[2]).toContain('DEPENDENCY_FAILED');
  }, 60_000);
});
