import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CoordinatorService, loadConfig as loadCoordinatorConfig } from '@claudine/coordinator';
import { createLogger } from '@claudine/observability';
import { ClusterClient } from '../src/client/cluster-client';
import {
  agentWorkingDirectory,
  alwaysError,
  createGitRepository,
  createTempDir,
  findFreePort,
  isProcessAlive,
  startRedis,
  startScriptedAnthropic,
  waitFor,
  writeRelativeFileThenFinish,
  type GitFixture,
  type RedisHarness,
  type ScriptedAnthropic,
  type ScriptedResponder,
  type TempDir,
} from '@claudine/testing';

/**
 * The whole path, with real parts only: the `claudine` CLI → `claudine up` (a coordinator and two
 * workers, each its own process) → gRPC → BullMQ on a real Redis → a git worktree → the real
 * Claude Code CLI, talking to a scripted Anthropic Messages API on loopback.
 */
const CLI = path.resolve(__dirname, '../dist/main.js');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

describe('end to end: claudine CLI → cluster → real Claude Code', () => {
  let redis: RedisHarness;
  let anthropic: ScriptedAnthropic;
  let respond: ScriptedResponder;
  let stateDir: TempDir;
  let repo: GitFixture;
  let up: ChildProcess;
  let upOutput = '';
  let address: string;

  function claudine(...args: string[]): Promise<CliRun> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [CLI, '--address', address, ...args],
        { cwd: repo.path, timeout: 60_000 },
        (error, stdout, stderr) => {
          const code = error && typeof error.code === 'number' ? error.code : error ? 99 : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  beforeAll(async () => {
    redis = await startRedis();
    anthropic = await startScriptedAnthropic({ respond: (request) => respond(request) });
    stateDir = await createTempDir('claudine-e2e-');
    repo = await createGitRepository({ files: { 'README.md': '# e2e\n' } });
    const port = await findFreePort();
    address = `127.0.0.1:${port}`;
    up = spawn(
      process.execPath,
      [
        CLI,
        'up',
        '--workers',
        '2',
        '--port',
        String(port),
        '--redis-url',
        redis.url,
        '--state-dir',
        stateDir.path,
      ],
      {
        env: {
          ...process.env,
          CLAUDINE_KEY_PREFIX: redis.keyPrefix,
          ANTHROPIC_BASE_URL: anthropic.url,
          ANTHROPIC_API_KEY: 'sk-e2e-test',
          // Lets a task ask for bypassPermissions as root, for the slow Bash call below.
          CLAUDINE_AGENT_SANDBOXED: 'true',
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    up.stdout?.on('data', (chunk: Buffer) => (upOutput += chunk.toString()));
    up.stderr?.on('data', (chunk: Buffer) => (upOutput += chunk.toString()));
    await waitFor(() => upOutput.includes('Claudine is up.'), {
      timeoutMs: 30_000,
      description: `claudine up (output: ${upOutput})`,
    });
  }, 60_000);

  afterAll(async () => {
    if (up && up.exitCode === null) {
      const exited = new Promise<number | null>((resolve) => up.once('exit', (code) => resolve(code)));
      up.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(upOutput).toContain('Stopped.');
    }
    await anthropic?.stop();
    await repo?.remove();
    await stateDir?.remove();
    await redis?.stop();
  }, 60_000);

  it('prints the gRPC address and every /metrics URL it serves', () => {
    expect(upOutput).toContain(`gRPC      ${address}`);
    expect(upOutput.match(/metrics {3}http:\/\/127\.0\.0\.1:\d+\/metrics/g)).toHaveLength(3);
  });

  it('runs a task whose agent writes a file, committed on claudine/<task id>', async () => {
    respond = writeRelativeFileThenFinish('hello.txt', 'hello from the agent\n', 'I wrote hello.txt');
    const run = await claudine('delegate', 'Write hello.txt', '--repo', repo.path, '--wait', '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const task = JSON.parse(run.stdout) as {
      id: string;
      state: string;
      result: {
        sessionId: string;
        numTurns: number;
        costUsd: number;
        branch: string;
        changedFiles: string[];
        text: string;
      };
    };
    expect(task.state).toBe('completed');
    expect(task.result.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(task.result.numTurns).toBeGreaterThanOrEqual(2);
    expect(task.result.costUsd).toBeGreaterThan(0);
    expect(task.result.text).toBe('I wrote hello.txt');
    expect(task.result.branch).toBe(`claudine/${task.id}`);
    expect(task.result.changedFiles).toEqual(['hello.txt']);
    expect(await repo.git('show', `claudine/${task.id}:hello.txt`)).toBe('hello from the agent');

    const logs = await claudine('logs', task.id);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/→ Write: .*hello\.txt/);
    expect(logs.stdout).toContain('── completed');
    const tail = await claudine('logs', task.id, '--tail', '2', '--json');
    expect(tail.code).toBe(0);
    const lastTwo = tail.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { offset: number; type: string });
    expect(lastTwo).toHaveLength(2);
    expect(lastTwo[1]?.type).toBe('task.state');
    expect(lastTwo[1]!.offset - lastTwo[0]!.offset).toBe(1);
    const readable = await claudine('logs', task.id, '--tail', '2');
    expect(readable.stdout).toContain('── completed');
    expect(readable.stdout).not.toMatch(/→ Write/);

    const status = await claudine('status', task.id);
    expect(status.stdout).toContain(`State      completed`);
    const list = await claudine('status', '--state', 'completed', '--json');
    expect((JSON.parse(list.stdout) as { id: string }[]).map((t) => t.id)).toContain(task.id);
  }, 60_000);

  it('keeps a patch of the work for merge strategy patch, downloadable with claudine patch', async () => {
    respond = writeRelativeFileThenFinish('patched.txt', 'patched by the agent\n', 'I wrote patched.txt');
    const run = await claudine(
      'delegate',
      'Write patched.txt',
      '--repo',
      repo.path,
      '--merge',
      'patch',
      '--wait',
      '--json',
    );
    expect(run.code).toBe(0);
    const task = JSON.parse(run.stdout) as { id: string; result: { merge: { outcome: string } } };
    expect(task.result.merge.outcome).toBe('patch');

    const patch = await claudine('patch', task.id);
    expect(patch.code).toBe(0);
    expect(patch.stdout).toMatch(/^From [0-9a-f]{40} /);
    expect(patch.stdout).toContain('+patched by the agent');
    const file = path.join(stateDir.path, `${task.id}.patch`);
    const saved = await claudine('patch', task.id, '--output', file);
    expect(saved.code).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(patch.stdout);
    // It applies to the base the task started from (the user's checkout, which never changed).
    await repo.git('apply', '--check', file);

    const none = await claudine(
      'delegate',
      'nothing to patch',
      '--repo',
      repo.path,
      '--merge',
      'none',
      '--wait',
      '--json',
    );
    const noPatch = await claudine('patch', (JSON.parse(none.stdout) as { id: string }).id);
    expect(noPatch.code).toBe(4);
    expect(noPatch.stderr).toContain('has no patch');
  }, 60_000);

  it('resumes a finished task in the same Claude session, on the worker that holds it', async () => {
    respond = writeRelativeFileThenFinish('first.txt', 'one\n', 'wrote first.txt');
    const first = await claudine('delegate', 'Write first.txt', '--repo', repo.path, '--wait', '--json');
    expect(first.code).toBe(0);
    const firstTask = JSON.parse(first.stdout) as { id: string; result: { sessionId: string } };

    // A resumed conversation starts with the earlier turns, so answer by the last message instead.
    respond = (request) =>
      request.lastToolResults.length === 0
        ? {
            kind: 'tool_use',
            name: 'Write',
            input: { file_path: `${agentWorkingDirectory(request.body)}/second.txt`, content: 'two\n' },
          }
        : { kind: 'text', text: 'wrote second.txt' };
    const requestsBefore = anthropic.requests.length;
    const resumed = await claudine('resume', firstTask.id, '--context', 'Now write second.txt', '--json');
    expect(resumed.code).toBe(0);
    const { task, mode } = JSON.parse(resumed.stdout) as {
      task: { id: string; resumedFrom: string };
      mode: string;
    };
    expect(mode).toBe('same_session');
    expect(task.resumedFrom).toBe(firstTask.id);

    const client = ClusterClient.connect(address);
    try {
      const done = await waitFor(
        async () => {
          const current = await client.get(task.id);
          return current.state === 'completed' || current.state === 'failed' ? current : undefined;
        },
        { timeoutMs: 30_000, description: 'the resumed task to finish' },
      );
      expect(done.state).toBe('completed');
    } finally {
      client.close();
    }
    // The resumed agent sent the earlier conversation back: it is the same session.
    const resumedRequest = anthropic.requests.slice(requestsBefore).find((r) => r.turn !== null);
    expect(JSON.stringify(resumedRequest?.body.messages)).toContain('Write first.txt');
    // Its branch builds on the first task's: both files are there.
    expect(await repo.git('show', `claudine/${task.id}:first.txt`)).toBe('one');
    expect(await repo.git('show', `claudine/${task.id}:second.txt`)).toBe('two');
  }, 90_000);

  it('fails the task, with the API error, when the API refuses the agent', async () => {
    // A 400: Claude Code 2.1.197 retries 401 and 5xx ten times over minutes, but fails a 400 at once.
    respond = alwaysError(400, 'invalid_request_error', 'prompt is invalid (scripted)');
    const run = await claudine('delegate', 'This will fail', '--repo', repo.path, '--wait', '--json');
    expect(run.code).toBe(1);
    const task = JSON.parse(run.stdout) as {
      state: string;
      error: { code: string; message: string };
      attempts: { exitCode: number }[];
    };
    expect(task.state).toBe('failed');
    expect(task.error.code).toBe('AGENT_FAILED');
    expect(task.error.message).toContain('prompt is invalid (scripted)');
    expect(task.error.message).toContain('400');
    expect(task.attempts[0]?.exitCode).not.toBe(0);
  }, 60_000);

  it('cancels a running agent within a second through another coordinator, leaving no process behind', async () => {
    const pidFile = path.join(stateDir.path, 'agent-pids.txt');
    // The agent's one tool call: a shell that starts a grandchild `sleep` and waits on it.
    respond = ({ turn }) =>
      turn === 1
        ? {
            kind: 'tool_use',
            name: 'Bash',
            input: { command: `sleep 300 & echo "$PPID $$ $!" > ${pidFile}; wait`, description: 'wait' },
          }
        : { kind: 'text', text: 'should never get here' };
    const client = ClusterClient.connect(address);
    try {
      const task = await client.delegate({
        prompt: 'Run the slow command',
        repository: repo.path,
        agent: { permissionMode: 'bypassPermissions' },
      });
      const pids = await waitFor(
        async () => {
          const text = await readFile(pidFile, 'utf8').catch(() => '');
          const numbers = text.trim().split(' ').map(Number);
          return numbers.length === 3 && numbers.every((n) => n > 0) ? numbers : undefined;
        },
        { timeoutMs: 30_000, description: 'the agent to start its slow command' },
      );
      const alive = isProcessAlive;
      expect(pids.every(alive)).toBe(true);
      // A second coordinator, which never saw the task: cancellation must reach the worker anyway.
      const other = await CoordinatorService.create(
        loadCoordinatorConfig({
          REDIS_URL: redis.url,
          CLAUDINE_KEY_PREFIX: redis.keyPrefix,
          CLAUDINE_GRPC_PORT: '0',
          LOG_LEVEL: 'silent',
        }),
        createLogger({ name: 'coordinator-2', level: 'silent' }),
      );
      const viaOther = ClusterClient.connect(other.grpcAddress);
      const cancelledAt = Date.now();
      try {
        await viaOther.cancel(task.id, 'too slow');
      } finally {
        viaOther.close();
        await other.close();
      }
      await waitFor(() => pids.every((pid) => !alive(pid)), {
        timeoutMs: 5_000,
        description: 'the agent, its shell and the sleep gone',
      });
      const goneAfterMs = Date.now() - cancelledAt;
      const final = await waitFor(
        async () => {
          const current = await client.get(task.id);
          return current.state === 'cancelled' ? current : undefined;
        },
        { timeoutMs: 5_000, description: 'the task recorded as cancelled' },
      );
      expect(goneAfterMs).toBeLessThan(1_000);
      expect(final.cancelReason).toBe('too slow');
      expect(final.attempts[0]?.outcome).toBe('cancelled');
    } finally {
      client.close();
    }
  }, 60_000);

  it("pretty-prints the services' JSON logs, tagged by service, at LOG_LEVEL", () => {
    expect(upOutput).toMatch(/^\[coordinator\] +\[[\d:.]+\] INFO \(coordinator\): coordinator ready/m);
    expect(upOutput).toMatch(/^\[worker-1\] +\[[\d:.]+\] INFO \(worker\): worker ready/m);
    expect(upOutput).not.toMatch(/^\[[a-z0-9-]+\] +\{"level"/m);
    // A line about a task names the task, the worker and the attempt.
    expect(upOutput).toMatch(
      /INFO \(worker\): agent starting \{"workerId":"[^"]+","taskId":"[^"]+","attempt":1,/,
    );
    // LOG_LEVEL=info: the debug lines (the agent's pid) are not written.
    expect(upOutput).toContain('agent starting');
    expect(upOutput).not.toContain('agent started');
  });

  it('shows the workers of the cluster', async () => {
    const run = await claudine('workers', '--json');
    const workers = JSON.parse(run.stdout) as { id: string; capacity: number }[];
    expect(workers.map((w) => w.id.replace(/^.*-(worker-\d)$/, '$1')).sort()).toEqual([
      'worker-1',
      'worker-2',
    ]);
  });

  it('refuses bad input with exit code 2, naming the field', async () => {
    const empty = await claudine('delegate', '', '--repo', repo.path);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('spec.prompt');
    const priority = await claudine('delegate', 'x', '--repo', repo.path, '--priority', 'P7');
    expect(priority.code).toBe(2);
    expect(priority.stderr).toContain('priority');
    const timeout = await claudine('delegate', 'x', '--repo', repo.path, '--timeout', 'soon');
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toContain('--timeout');
    const someTask = 'task-00000000-0000-4000-8000-000000000000';
    const tail = await claudine('logs', someTask, '--tail', '0');
    expect(tail.code).toBe(2);
    expect(tail.stderr).toContain('--tail: must be between 1 and 10000');
    const since = await claudine('logs', someTask, '--since', 'soon');
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since');
    const missingRepo = await claudine('delegate', 'x', '--repo', '/nonexistent/repo');
    expect(missingRepo.code).toBe(4);
    expect(missingRepo.stderr).toContain('does not exist');
  });

  it('reports an unreachable coordinator with the address tried', async () => {
    const port = await findFreePort();
    const run = await new Promise<CliRun>((resolve) =>
      execFile(process.execPath, [CLI, '--address', `127.0.0.1:${port}`, 'status'], (error, stdout, stderr) =>
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr }),
      ),
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`127.0.0.1:${port}`);
  });
});
