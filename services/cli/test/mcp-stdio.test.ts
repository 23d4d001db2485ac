import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import type { CoordinatorService } from '@claudine/coordinator';
import {
  createBareRemote,
  createGitRepository,
  createTempDir,
  findFreePort,
  onceEvent,
  startRedis,
  waitFor,
  type GitFixture,
  type RedisHarness,
  type TempDir,
} from '@claudine/testing';
import type { WorkerService } from '@claudine/worker';
import { ClusterClient } from '../src/client/cluster-client';
import { startTestCoordinator, startTestWorker } from './support/in-process-cluster';

/**
 * `claudine mcp` (the stdio MCP server) driven by the MCP SDK's real Client over stdio, the
 * built CLI spawned as Claude Code would spawn it, against a real coordinator and worker (in
 * this process) on a real Redis, with a stand-in agent.
 */
const CLI = path.resolve(__dirname, '../dist/main.js');
const AGENT = path.join(__dirname, 'fixtures', 'agent-for-mcp.sh');

const TOOLS = [
  'DelegateTask',
  'TaskStatus',
  'TaskLogs',
  'CancelTask',
  'RetryTask',
  'ResumeTask',
  'ScheduleTask',
  'ListSchedules',
  'GetSchedule',
  'CancelSchedule',
  'PauseSchedule',
  'ResumeSchedule',
  'ListWorkers',
  'WaitForTask',
];

interface TaskView {
  id: string;
  state: string;
  repository: string;
  baseRef?: string;
  retryOf?: string;
  resumedFrom?: string;
  result?: { text: string };
  error?: { code: string; message: string };
}

interface ScheduleView {
  id: string;
  state: string;
  cron?: string;
  timezone: string;
  nextRuns: string[];
  history?: unknown[];
}

describe('claudine mcp (stdio)', () => {
  let redis: RedisHarness;
  let repo: GitFixture;
  let dataDir: TempDir;
  let gates: TempDir;
  let coordinator: CoordinatorService;
  let worker: WorkerService;
  let grpc: ClusterClient;
  let gateCount = 0;
  const clients: Client[] = [];

  /** The MCP client of a `claudine mcp` process spawned in `cwd`; closed after each test. */
  async function connect(
    options: { cwd?: string; address?: string } = {},
  ): Promise<{ client: Client; stderr: () => string }> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, '--address', options.address ?? coordinator.grpcAddress, 'mcp'],
      cwd: options.cwd ?? dataDir.path,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info' },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'claudine-test', version: '1.0.0' });
    clients.push(client);
    await client.connect(transport);
    return { client, stderr: () => stderr };
  }

  async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    return (await client.callTool({ name, arguments: args })) as CallToolResult;
  }

  /** A tool call that must succeed: its structured content. */
  async function ok<T>(client: Client, name: string, args: Record<string, unknown>): Promise<T> {
    const result = await call(client, name, args);
    if (result.isError) throw new Error(`${name} failed: ${textOf(result)}`);
    expect(textOf(result)).not.toBe('');
    return result.structuredContent as T;
  }

  function textOf(result: CallToolResult): string {
    return result.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');
  }

  /** A file whose creation lets an agent given "gate:<file>" finish. */
  function gate(): { prompt: (text: string) => string; open: () => Promise<void> } {
    const file = path.join(gates.path, `gate-${++gateCount}`);
    return { prompt: (text) => `gate:${file} ${text}`, open: () => writeFile(file, '') };
  }

  async function allTaskIds(): Promise<string[]> {
    return (await grpc.list({ pageSize: 500 })).tasks.map((task) => task.id).sort();
  }

  beforeAll(async () => {
    redis = await startRedis();
    repo = await createGitRepository({ files: { 'README.md': '# mcp\n', 'src/app.txt': 'app\n' } });
    dataDir = await createTempDir('claudine-mcp-');
    gates = await createTempDir('claudine-mcp-gates-');
    coordinator = await startTestCoordinator(redis);
    worker = await startTestWorker(redis, { id: 'mcp-worker', dataDir: dataDir.path, agent: AGENT });
    grpc = ClusterClient.connect(coordinator.grpcAddress);
  }, 60_000);

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
  });

  afterAll(async () => {
    grpc?.close();
    await worker?.close();
    await coordinator?.close();
    await gates?.remove();
    await dataDir?.remove();
    await repo?.remove();
    await redis?.stop();
  }, 60_000);

  it('lists the 14 tools, each described, with strict input schemas and output schemas', async () => {
    const { client } = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...TOOLS].sort());
    for (const tool of tools) {
      expect(tool.description?.length).toBeGreaterThan(20);
      expect(tool.inputSchema).toMatchObject({ type: 'object', additionalProperties: false });
      expect(tool.outputSchema).toMatchObject({ type: 'object' });
      const undescribed = Object.entries(tool.inputSchema.properties ?? {})
        .filter(([, schema]) => ((schema as { description?: string }).description ?? '').length < 15)
        .map(([field]) => field);
      expect([tool.name, undescribed]).toEqual([tool.name, []]);
    }
    const delegate = tools.find((tool) => tool.name === 'DelegateTask')!;
    expect(Object.keys(delegate.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining([
        'prompt',
        'repository',
        'baseRef',
        'dependsOn',
        'continueFrom',
        'mergeStrategy',
        'priority',
        'timeout',
        'maxBudgetUsd',
        'labels',
        'requires',
      ]),
    );
    expect(delegate.inputSchema.properties?.prompt).toMatchObject({ maxLength: 100_000 });
  });

  it('delegates, waits with progress, shows status and logs, retries, resumes and cancels', async () => {
    const { client } = await connect();
    const g = gate();
    const { task: first } = await ok<{ task: TaskView }>(client, 'DelegateTask', {
      prompt: g.prompt('first talk:120'),
      repository: repo.path,
      priority: 'P1',
      labels: { team: 'mcp' },
    });
    expect(first).toMatchObject({ state: 'queued', repository: repo.path });

    // WaitForTask with a progress token: one notification when the wait begins, one when the task ends.
    const progress: Progress[] = [];
    const waiting = client.callTool({ name: 'WaitForTask', arguments: { taskIds: [first.id] } }, undefined, {
      onprogress: (update) => progress.push(update),
    });
    await waitFor(() => progress.length > 0, {
      timeoutMs: 10_000,
      description: 'the first progress notification',
    });
    expect(progress[0]?.message).toContain('waiting for 1 of 1 tasks');
    await g.open();
    const waited = (await waiting) as CallToolResult;
    expect(waited.isError).toBeFalsy();
    const joined = waited.structuredContent as { done: boolean; timedOut: boolean; tasks: TaskView[] };
    expect(joined).toMatchObject({ done: true, timedOut: false });
    expect(joined.tasks[0]).toMatchObject({
      id: first.id,
      state: 'completed',
      result: { text: `done by ${first.id}` },
    });
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress[progress.length - 1]?.message).toContain(`${first.id} completed`);
    expect(progress[1]!.progress).toBeGreaterThan(progress[0]!.progress);

    const status = await ok<{ task: TaskView }>(client, 'TaskStatus', { taskId: first.id });
    expect(status.task).toMatchObject({ id: first.id, state: 'completed' });
    const listed = await ok<{ tasks: { id: string }[] }>(client, 'TaskStatus', { limit: 5 });
    expect(listed.tasks.map((task) => task.id)).toContain(first.id);

    // The transcript as `claudine logs` prints it; capped, saying where it cut.
    const logs = await ok<{ transcript: string; truncated: boolean; lastOffset: number }>(
      client,
      'TaskLogs',
      {
        taskId: first.id,
      },
    );
    expect(logs.truncated).toBe(false);
    expect(logs.transcript).toContain('line 120 of a long answer');
    expect(logs.transcript).toContain(`done by ${first.id}`);
    const tail = await ok<{ transcript: string; events: number }>(client, 'TaskLogs', {
      taskId: first.id,
      tail: 3,
    });
    expect(tail.events).toBe(3);
    expect(tail.transcript).not.toContain('line 1 of');
    const cut = await call(client, 'TaskLogs', { taskId: first.id, maxChars: 1_000 });
    const cutContent = cut.structuredContent as {
      transcript: string;
      truncated: boolean;
      omittedChars: number;
    };
    expect(cutContent.truncated).toBe(true);
    expect(cutContent.omittedChars).toBeGreaterThan(5_000);
    expect(cutContent.transcript.length).toBeLessThanOrEqual(1_000);
    expect(cutContent.transcript).toMatch(/^\[… \d+ earlier characters cut/);
    expect(cutContent.transcript).toContain(`done by ${first.id}`);
    const since = await ok<{ events: number }>(client, 'TaskLogs', { taskId: first.id, since: '1h' });
    expect(since.events).toBeGreaterThan(100);

    const { task: retried } = await ok<{ task: TaskView }>(client, 'RetryTask', { taskId: first.id });
    expect(retried).toMatchObject({ retryOf: first.id });
    const resumed = await ok<{ task: TaskView; mode: string; explanation: string }>(client, 'ResumeTask', {
      taskId: first.id,
      additionalContext: 'now add tests',
    });
    expect(resumed.task.resumedFrom).toBe(first.id);
    expect(['same_session', 'new_session']).toContain(resumed.mode);

    // A gated task cancelled while it runs; WaitForTask (any) returns it cancelled.
    const held = gate();
    const { task: gated } = await ok<{ task: TaskView }>(client, 'DelegateTask', {
      prompt: held.prompt('held'),
      repository: repo.path,
    });
    const cancelled = await ok<{ task: TaskView }>(client, 'CancelTask', {
      taskId: gated.id,
      reason: 'not needed',
    });
    expect(cancelled.task.id).toBe(gated.id);
    const after = await ok<{ done: boolean; tasks: TaskView[] }>(client, 'WaitForTask', {
      taskIds: [gated.id, retried.id, resumed.task.id],
      mode: 'all',
      timeoutSeconds: 30,
    });
    expect(after.done).toBe(true);
    expect(after.tasks.map((task) => [task.id, task.state])).toEqual([
      [gated.id, 'cancelled'],
      [retried.id, 'completed'],
      [resumed.task.id, 'completed'],
    ]);
    await held.open();

    // A tool failure is a result that says what to change, not a protocol error.
    const missing = await call(client, 'TaskStatus', { taskId: 'task-00000000-0000-4000-8000-000000000000' });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/TASK_NOT_FOUND: .*\nCheck the task id/);
    const finished = await call(client, 'CancelTask', { taskId: first.id });
    expect(finished.isError).toBe(true);
    expect(textOf(finished)).toContain('TASK_ALREADY_FINISHED');
  }, 60_000);

  it('times out a wait, returning the tasks as they are', async () => {
    const { client } = await connect();
    const g = gate();
    const { task } = await ok<{ task: TaskView }>(client, 'DelegateTask', {
      prompt: g.prompt('slow'),
      repository: repo.path,
    });
    const waited = await ok<{ done: boolean; timedOut: boolean; tasks: TaskView[] }>(client, 'WaitForTask', {
      taskIds: [task.id],
      timeoutSeconds: 1,
    });
    expect(waited).toMatchObject({ done: false, timedOut: true });
    expect(['queued', 'running']).toContain(waited.tasks[0]?.state);
    await g.open();
    expect(
      await ok<{ done: boolean }>(client, 'WaitForTask', { taskIds: [task.id], mode: 'any' }),
    ).toMatchObject({
      done: true,
    });
  }, 30_000);

  it('schedules: create, list, get, pause, resume, cancel', async () => {
    const { client } = await connect();
    const { schedule } = await ok<{ schedule: ScheduleView }>(client, 'ScheduleTask', {
      prompt: 'every weekday morning',
      repository: repo.path,
      cron: '0 9 * * 1-5',
      timezone: 'Europe/Paris',
      maxRuns: 3,
    });
    expect(schedule).toMatchObject({ state: 'active', cron: '0 9 * * 1-5', timezone: 'Europe/Paris' });
    expect(schedule.nextRuns.length).toBeGreaterThan(0);

    const listed = await ok<{ schedules: ScheduleView[] }>(client, 'ListSchedules', { states: ['active'] });
    expect(listed.schedules.map((s) => s.id)).toContain(schedule.id);
    const got = await ok<{ schedule: ScheduleView }>(client, 'GetSchedule', { scheduleId: schedule.id });
    expect(got.schedule).toMatchObject({ id: schedule.id, history: [] });

    expect(
      (await ok<{ schedule: ScheduleView }>(client, 'PauseSchedule', { scheduleId: schedule.id })).schedule
        .state,
    ).toBe('paused');
    expect(
      (await ok<{ schedule: ScheduleView }>(client, 'ResumeSchedule', { scheduleId: schedule.id })).schedule
        .state,
    ).toBe('active');
    expect(
      (await ok<{ schedule: ScheduleView }>(client, 'CancelSchedule', { scheduleId: schedule.id })).schedule
        .state,
    ).toBe('cancelled');
    const again = await call(client, 'PauseSchedule', { scheduleId: schedule.id });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toContain('SCHEDULE_STATE_INVALID');
  });

  it('lists the workers', async () => {
    const { client } = await connect();
    const { workers } = await ok<{ workers: { id: string; state: string; capacity: number }[] }>(
      client,
      'ListWorkers',
      {},
    );
    expect(workers).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'mcp-worker', state: 'running' })]),
    );
  });

  it('refuses bad input, naming the field, and creates nothing', async () => {
    const { client } = await connect();
    const tasksBefore = await allTaskIds();
    const schedulesBefore = (await grpc.listSchedules({ pageSize: 500 })).schedules.length;
    const refusals: [string, Record<string, unknown>, RegExp][] = [
      ['DelegateTask', { prompt: 'x', repository: repo.path, colour: 'red' }, /Unrecognized key.*colour/],
      ['DelegateTask', { prompt: 'x'.repeat(100_001), repository: repo.path }, /prompt/],
      ['DelegateTask', { prompt: 'x', repository: repo.path, priority: 'P9' }, /priority/],
      ['DelegateTask', { prompt: 'x', repository: repo.path, mergeStrategy: 'yolo' }, /mergeStrategy/],
      ['DelegateTask', { prompt: 'x', repository: repo.path, timeout: 10 }, /timeout/],
      ['DelegateTask', { prompt: 'x', repository: repo.path, dependsOn: ['nope'] }, /dependsOn/],
      ['DelegateTask', { prompt: 'x', repository: 'relative/path' }, /repository/],
      ['ScheduleTask', { prompt: 'x', repository: repo.path, cron: '61 * * * *' }, /cron/],
      [
        'ScheduleTask',
        { prompt: 'x', repository: repo.path, cron: '0 9 * * *', everyMs: 5000 },
        /exactly one/,
      ],
      [
        'ScheduleTask',
        { prompt: 'x', repository: repo.path, cron: '0 9 * * *', timezone: 'Mars/Base' },
        /timezone/,
      ],
      ['WaitForTask', { taskIds: [] }, /taskIds/],
      ['TaskLogs', { taskId: 'task-1', tail: 5 }, /taskId/],
      ['TaskLogs', { taskId: 'task-00000000-0000-4000-8000-000000000000', maxChars: 10 }, /maxChars/],
    ];
    for (const [name, args, field] of refusals) {
      const result = await call(client, name, args);
      expect([name, result.isError]).toEqual([name, true]);
      expect(textOf(result)).toMatch(field);
    }
    expect(await allTaskIds()).toEqual(tasksBefore);
    expect((await grpc.listSchedules({ pageSize: 500 })).schedules.length).toBe(schedulesBefore);
  });

  it('reports an unreachable coordinator, naming the address it tried', async () => {
    const address = `127.0.0.1:${await findFreePort()}`;
    const { client } = await connect({ address });
    const result = await call(client, 'TaskStatus', {});
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(`UNAVAILABLE: cannot reach the Claudine coordinator at ${address}`);
  });

  it('defaults to the git repository it runs in, and its current branch', async () => {
    await repo.git('checkout', '-q', '-b', 'feature/mcp');
    const inside = path.join(repo.path, 'src');
    const { client, stderr } = await connect({ cwd: inside });
    const { task } = await ok<{ task: TaskView }>(client, 'DelegateTask', {
      prompt: 'from the lead session',
    });
    expect(task).toMatchObject({ repository: realpathSync(repo.path), baseRef: 'feature/mcp' });
    expect(
      (await ok<{ done: boolean; tasks: TaskView[] }>(client, 'WaitForTask', { taskIds: [task.id] }))
        .tasks[0],
    ).toMatchObject({
      state: 'completed',
    });
    // Logs go to stderr: stdout is the protocol.
    expect(stderr()).toContain('Claudine MCP server on stdio');
    await repo.git('checkout', '-q', 'main');
  }, 30_000);

  it('refuses a base commit that exists only in the local clone when delegating its remote URL', async () => {
    const remote = await createBareRemote(repo);
    const clone = await createGitRepository();
    try {
      await clone.git('remote', 'add', 'origin', remote.url);
      await clone.git('fetch', '-q', 'origin');
      await clone.git('checkout', '-q', '-B', 'local-only', 'origin/main');
      await clone.git('commit', '-q', '--allow-empty', '-m', 'not pushed');
      const { client } = await connect({ cwd: clone.path });
      const before = await allTaskIds();
      const refused = await call(client, 'DelegateTask', { prompt: 'work on it', repository: remote.url });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain('exists only in your local clone');
      expect(textOf(refused)).toContain('git push -u origin local-only');
      expect(textOf(refused)).toContain('CLAUDINE_REPOSITORY_ROOTS');
      expect(await allTaskIds()).toEqual(before);

      // Pushed, the same call goes through, from that branch.
      await clone.git('push', '-q', 'origin', 'local-only');
      await clone.git('fetch', '-q', 'origin');
      const { client: again } = await connect({ cwd: clone.path });
      const { task } = await ok<{ task: TaskView }>(again, 'DelegateTask', {
        prompt: 'work on it',
        repository: remote.url,
      });
      expect(task).toMatchObject({ repository: remote.url, baseRef: 'local-only' });
      await ok(again, 'WaitForTask', { taskIds: [task.id] });
    } finally {
      await clone.remove();
      await remote.remove();
    }
  }, 30_000);

  it('says how to fix a local path the coordinator cannot see', async () => {
    const { client } = await connect();
    const gone = path.join(dataDir.path, 'not-here');
    await mkdir(path.dirname(gone), { recursive: true });
    const result = await call(client, 'DelegateTask', { prompt: 'x', repository: gone });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('REPOSITORY_NOT_FOUND');
    expect(textOf(result)).toContain('configure a shared path');
  });

  it('exits when its stdin closes', async () => {
    const child = spawn(process.execPath, [CLI, '--address', coordinator.grpcAddress, 'mcp'], {
      cwd: dataDir.path,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const exited = onceEvent(child, 'exit', 10_000);
    child.stdin.end();
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});
