import { chmod, copyFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isTerminalState, newTaskId, TaskSpecSchema, type Task, type TaskSpecInput } from '@claudine/core';
import { createLogger } from '@claudine/observability';
import {
  closeRedis,
  createKeyspace,
  createRedisConnection,
  createTaskQueue,
  readTaskEvents,
  TaskStore,
  WorkerRegistry,
  type Keyspace,
  type TaskQueue,
} from '@claudine/store';
import {
  createBareRemote,
  createGitRepository,
  createTempDir,
  isProcessAlive as isAlive,
  startRedis,
  waitFor,
  type GitFixture,
  type RedisHarness,
  type TempDir,
} from '@claudine/testing';
import type { Redis } from 'ioredis';
import { loadConfig } from '../src/config';
import { WorkerService } from '../src/worker-service';

const fixture = (name: string): string => path.join(__dirname, 'fixtures', name);

describe('worker', () => {
  let redisHarness: RedisHarness;
  let redis: Redis;
  let keys: Keyspace;
  let store: TaskStore;
  let queue: TaskQueue;
  let repo: GitFixture;
  let dataDir: TempDir;
  let worker: WorkerService | undefined;

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
    repo = await createGitRepository({
      files: { 'README.md': '# demo\n', 'pkg/index.js': 'module.exports = 1;\n' },
    });
    dataDir = await createTempDir('claudine-worker-test-');
  });

  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await queue.close();
    await closeRedis(redis);
    await repo.remove();
    await dataDir.remove();
  });

  async function startWorker(
    agentScript: string,
    extraEnv: Record<string, string> = {},
  ): Promise<WorkerService> {
    const config = loadConfig({
      REDIS_URL: redisHarness.url,
      CLAUDINE_KEY_PREFIX: keys.prefix,
      CLAUDINE_WORKER_ID: 'test-worker',
      CLAUDINE_DATA_DIR: dataDir.path,
      CLAUDINE_AGENT_COMMAND: fixture(agentScript),
      CLAUDINE_KILL_GRACE_MS: '300',
      CLAUDINE_HEARTBEAT_INTERVAL_MS: '200',
      // Exactly CLAUDINE_WORKER_CAPACITY tasks at once, whatever the load of the test machine.
      CLAUDINE_AGENT_CPU: '0',
      CLAUDINE_AGENT_MEMORY: '0',
      CLAUDINE_SPAWN_INTERVAL_MS: '0',
      LOG_LEVEL: 'silent',
      ...extraEnv,
    });
    worker = await WorkerService.create({
      config,
      logger: createLogger({ name: 'worker', level: 'silent' }),
    });
    return worker;
  }

  async function delegate(overrides: Partial<TaskSpecInput> = {}): Promise<string> {
    const taskId = newTaskId();
    await store.create(
      queue,
      taskId,
      TaskSpecSchema.parse({ prompt: 'do the thing\nin detail', repository: repo.path, ...overrides }),
    );
    return taskId;
  }

  function finished(taskId: string, timeoutMs = 15_000): Promise<Task> {
    return waitFor(
      async () => {
        const task = await store.get(taskId);
        return task && isTerminalState(task.state) ? task : undefined;
      },
      { timeoutMs, description: `task ${taskId} to finish` },
    );
  }

  it('runs the agent in a worktree on claudine/<task id> and commits its work there', async () => {
    await startWorker('agent-writes-file.sh');
    const taskId = await delegate({ workingDirectory: 'pkg' });
    const task = await finished(taskId);

    expect(task.state).toBe('completed');
    expect(task.result).toMatchObject({
      text: 'wrote it',
      sessionId: 'fake-session',
      costUsd: 0.25,
      numTurns: 2,
      branch: `claudine/${taskId}`,
      changedFiles: ['pkg/agent-output.txt'],
      usage: { inputTokens: 7, outputTokens: 3 },
    });
    expect(task.attempts).toEqual([
      expect.objectContaining({
        number: 1,
        workerId: 'test-worker',
        outcome: 'completed',
        exitCode: 0,
        sessionId: 'fake-session',
      }),
    ]);
    expect(task.attempts[0]?.agentStartedAtMs).toBeGreaterThanOrEqual(
      task.attempts[0]?.startedAtMs ?? Infinity,
    );
    // The commit is on the task branch of the user's repository; the user's checkout is untouched.
    expect(await repo.git('show', `claudine/${taskId}:pkg/agent-output.txt`)).toBe(
      'written by the fake agent',
    );
    expect(await repo.git('log', '-1', '--format=%s%n%b%an', `claudine/${taskId}`)).toBe(
      `claudine: do the thing\nTask: ${taskId}\nClaudine`,
    );
    expect(await repo.git('rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(await repo.git('status', '--porcelain')).toBe('');
    // Every event is in the task's stream, in order, ending with the final state.
    const events = await readTaskEvents(redis, keys, taskId, 0);
    expect(events.map((e) => e.type)).toEqual([
      'task.state',
      'task.state',
      'worker.log',
      'agent.init',
      'agent.text',
      'agent.result',
      'worker.log',
      'task.state',
    ]);
    expect(events.map((e) => e.offset)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(events.at(-1)?.data).toEqual({ state: 'completed' });
  });

  it('fails a task whose agent reports is_error, carrying the error text', async () => {
    await startWorker('agent-reports-error.sh');
    const task = await finished(await delegate());
    expect(task.state).toBe('failed');
    expect(task.error).toEqual({
      code: 'AGENT_FAILED',
      message: expect.stringContaining('API Error: 401 invalid x-api-key'),
    });
    expect(task.attempts[0]).toMatchObject({ outcome: 'failed', exitCode: 1 });
  });

  it('fails a task whose agent never reports a result', async () => {
    await startWorker('agent-no-result.sh');
    const task = await finished(await delegate());
    expect(task.state).toBe('failed');
    expect(task.error).toEqual({
      code: 'AGENT_NO_RESULT',
      message: expect.stringContaining('something went wrong'),
    });
  });

  it('kills the whole process group at the timeout, escalating to SIGKILL', async () => {
    await startWorker('agent-hangs-with-child.sh');
    const taskId = await delegate({ timeoutMs: 1_000 });
    const task = await finished(taskId);
    expect(task.state).toBe('failed');
    expect(task.error?.code).toBe('TIMEOUT');
    // The failed task keeps its worktree for inspection; its pids file names both processes.
    const [agentPid, childPid] = (
      await readFile(path.join(dataDir.path, 'worktrees', taskId, 'pids.txt'), 'utf8')
    )
      .trim()
      .split(' ')
      .map(Number);
    expect(agentPid).toBeGreaterThan(0);
    expect(childPid).toBeGreaterThan(0);
    await waitFor(() => !isAlive(agentPid!) && !isAlive(childPid!), {
      description: 'agent and grandchild gone',
    });
  });

  it('stops a running task when it is cancelled', async () => {
    const service = await startWorker('agent-hangs-with-child.sh');
    const taskId = await delegate();
    await waitFor(async () => (await store.get(taskId))?.state === 'running', {
      description: 'task running',
    });
    expect(await store.cancel(taskId, 'changed my mind')).toEqual({ outcome: 'requested' });
    // No pub/sub message here: the heartbeat's check of the cancel flag must find it.
    const task = await finished(taskId);
    expect(task.state).toBe('cancelled');
    expect(task.cancelReason).toBe('changed my mind');
    expect((await readTaskEvents(redis, keys, taskId, 0)).at(-1)?.data).toEqual({
      state: 'cancelled',
      reason: 'changed my mind',
    });
    expect(service.state).toBe('running');
  });

  it("takes over its branch from a dead attempt's worktree that still holds it", async () => {
    await startWorker('agent-writes-file.sh');
    const taskId = newTaskId();
    // As a worker killed mid-task leaves it: the task branch checked out in its own worktree.
    await repo.git(
      'worktree',
      'add',
      '--quiet',
      '-b',
      `claudine/${taskId}`,
      path.join(dataDir.path, 'dead-worker-worktree'),
    );
    await store.create(queue, taskId, TaskSpecSchema.parse({ prompt: 'again', repository: repo.path }));
    const task = await finished(taskId);
    expect(task.state).toBe('completed');
    expect(await repo.git('show', `claudine/${taskId}:agent-output.txt`)).toBe('written by the fake agent');
  });

  it('fails before any agent starts when the base ref does not exist', async () => {
    await startWorker('agent-writes-file.sh');
    const task = await finished(await delegate({ baseRef: 'no-such-branch' }));
    expect(task.state).toBe('failed');
    expect(task.error).toEqual({
      code: 'BASE_REF_NOT_FOUND',
      message: expect.stringContaining('no-such-branch'),
    });
    expect(task.attempts[0]?.agentStartedAtMs).toBeUndefined();
  });

  it('fails at once, without retrying, when the working directory is not in the repository', async () => {
    await startWorker('agent-writes-file.sh');
    const task = await finished(await delegate({ workingDirectory: 'no/such/dir' }));
    expect(task.state).toBe('failed');
    expect(task.error).toEqual({
      code: 'WORKING_DIRECTORY_INVALID',
      message: expect.stringContaining('no/such/dir'),
    });
    expect(task.attempts).toHaveLength(1);
  });

  it('refuses a repository outside the roots it accepts, before creating anything', async () => {
    await startWorker('agent-writes-file.sh', { CLAUDINE_REPOSITORY_ROOTS: dataDir.path });
    const taskId = await delegate();
    const task = await finished(taskId);
    expect(task.state).toBe('failed');
    expect(task.error).toEqual({
      code: 'POLICY_REFUSED',
      message: expect.stringContaining('outside the repository roots'),
    });
    expect(task.attempts).toHaveLength(1);
    await expect(repo.git('rev-parse', '--verify', `claudine/${taskId}`)).rejects.toThrow();
  });

  it('refuses a permission mode the worker does not allow, before any agent starts', async () => {
    await startWorker('agent-writes-file.sh');
    const task = await finished(await delegate({ agent: { permissionMode: 'bypassPermissions' } }));
    expect(task.state).toBe('failed');
    expect(task.error).toEqual({
      code: 'POLICY_REFUSED',
      message: expect.stringContaining('CLAUDINE_AGENT_PERMISSION_MODES'),
    });
    expect(task.attempts[0]?.agentStartedAtMs).toBeUndefined();
  });

  it('refuses a configuration whose default permission mode it does not allow', () => {
    expect(() =>
      loadConfig({
        CLAUDINE_AGENT_PERMISSION_MODE: 'plan',
        CLAUDINE_AGENT_PERMISSION_MODES: 'acceptEdits,default',
      }),
    ).toThrow(/CLAUDINE_AGENT_PERMISSION_MODE: must be one of/);
    expect(loadConfig({ CLAUDINE_AGENT_SANDBOXED: 'true' }).agent.allowedPermissionModes).toContain(
      'bypassPermissions',
    );
    expect(loadConfig({}).agent.allowedPermissionModes).not.toContain('bypassPermissions');
  });

  it('retries an infrastructure failure with backoff, recording every attempt', async () => {
    await startWorker('agent-overloaded-once.sh');
    const task = await finished(await delegate());
    expect(task.state).toBe('completed');
    expect(task.attempts).toEqual([
      expect.objectContaining({ number: 1, outcome: 'failed', error: expect.stringContaining('529') }),
      expect.objectContaining({ number: 2, outcome: 'completed' }),
    ]);
    // The second attempt waited for BullMQ's backoff (about a second), not a tight loop.
    expect(task.attempts[1]!.startedAtMs - task.attempts[0]!.endedAtMs!).toBeGreaterThanOrEqual(500);
    const states = (await readTaskEvents(redis, keys, task.id, 0))
      .filter((e) => e.type === 'task.state')
      .map((e) => e.data);
    expect(states).toContainEqual({
      state: 'queued',
      reason: expect.stringContaining('retrying after AGENT_FAILED'),
    });
  });

  it('fails for good when the attempts run out', async () => {
    await startWorker('agent-always-overloaded.sh');
    const task = await finished(await delegate({ maxAttempts: 2 }));
    expect(task.state).toBe('failed');
    expect(task.error?.code).toBe('AGENT_FAILED');
    expect(task.attempts.map((a) => a.outcome)).toEqual(['failed', 'failed']);
  });

  it('never retries a failure of the task itself', async () => {
    await startWorker('agent-reports-error.sh');
    const task = await finished(await delegate({ maxAttempts: 3 }));
    expect(task.state).toBe('failed');
    expect(task.attempts).toHaveLength(1);
  });

  it('hands a rate-limited task back and pauses new starts until the limit resets', async () => {
    const service = await startWorker('agent-rate-limited-once.sh');
    const registry = new WorkerRegistry(redis, keys);
    const taskId = await delegate({ maxAttempts: 1 });
    const paused = await waitFor(async () => (await registry.list())[0]?.pausedUntilMs, {
      description: 'the pause in the registry',
    });
    expect(paused).toBeGreaterThan(Date.now());
    const task = await finished(taskId);
    // One BullMQ attempt allowed, yet it ran twice: the rate-limited try did not spend it.
    expect(task.state).toBe('completed');
    expect(task.attempts.map((a) => a.outcome)).toEqual(['failed', 'completed']);
    expect(task.attempts[1]!.startedAtMs).toBeGreaterThanOrEqual(paused - 50);
    expect(service.state).toBe('running');
    await waitFor(async () => (await registry.list())[0]?.pausedUntilMs === undefined, {
      description: 'the pause lifted',
    });
  });

  it('ends a task over its budget as failed with BUDGET_EXCEEDED, passing the budget to the agent', async () => {
    await startWorker('agent-over-budget.sh');
    const taskId = await delegate({ agent: { maxBudgetUsd: 0.5 } });
    const task = await finished(taskId);
    expect(task.state).toBe('failed');
    expect(task.error).toEqual({ code: 'BUDGET_EXCEEDED', message: expect.stringContaining('budget') });
    expect(task.result?.costUsd).toBe(0.52);
    expect(await repo.git('show', `claudine/${taskId}:args.txt`)).toContain('--max-budget-usd 0.5');
  });

  it('starts a P0 task before 100 waiting P2 tasks, and P2 tasks in the order they came', async () => {
    const p2: string[] = [];
    for (let i = 0; i < 100; i++) p2.push(await delegate({ priority: 'P2' }));
    const p1 = await delegate({ priority: 'P1' });
    const p0 = await delegate({ priority: 'P0' });
    await startWorker('agent-writes-file.sh', { CLAUDINE_WORKER_CAPACITY: '1' });
    const order = [p0, p1, ...p2.slice(0, 3)];
    const done = await Promise.all(order.map((id) => finished(id)));
    const starts = done.map((task) => task.attempts[0]!.startedAtMs);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    // Nothing else ran before them: every other P2 task started after the third one.
    const rest = await store.getMany(p2.slice(3));
    for (const task of rest) {
      if (task.attempts[0]) expect(task.attempts[0].startedAtMs).toBeGreaterThanOrEqual(starts[4]!);
    }
  });

  describe('merge strategies', () => {
    it('auto-merges 10 concurrent tasks into one base branch without losing any commit', async () => {
      await repo.git('branch', 'integration');
      await startWorker('agent-writes-unique-file.sh', { CLAUDINE_WORKER_CAPACITY: '10' });
      const ids = await Promise.all(
        Array.from({ length: 10 }, () => delegate({ baseRef: 'integration', mergeStrategy: 'auto' })),
      );
      const tasks = await Promise.all(ids.map((id) => finished(id, 30_000)));
      for (const task of tasks) {
        expect(task.result?.merge).toMatchObject({
          strategy: 'auto',
          outcome: 'merged',
          baseBranch: 'integration',
        });
      }
      const files = (await repo.git('ls-tree', '--name-only', 'integration')).split('\n');
      for (const id of ids) expect(files).toContain(`${id}.txt`);
      // The user's checkout (main) did not move.
      expect(await repo.git('rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
      expect(await repo.git('ls-tree', '--name-only', 'main')).not.toContain('.txt');
    }, 60_000);

    it('reports a conflict, merging nothing and keeping the branch', async () => {
      await repo.git('branch', 'feature');
      await startWorker('agent-races-the-base.sh');
      const taskId = await delegate({ baseRef: 'feature', mergeStrategy: 'auto' });
      const task = await finished(taskId);
      expect(task.state).toBe('completed');
      expect(task.result?.merge).toMatchObject({
        outcome: 'conflict',
        conflicts: ['agent-output.txt'],
        baseBranch: 'feature',
      });
      expect(await repo.git('show', 'feature:agent-output.txt')).toBe('theirs');
      expect(await repo.git('show', `claudine/${taskId}:agent-output.txt`)).toBe('ours');
      expect(await readFile(task.result!.merge!.patchPath!, 'utf8')).toContain('+ours');
    });

    it("never touches the user's uncommitted change, whatever the strategy", async () => {
      const origin = await createBareRemote(repo);
      await repo.git('remote', 'add', 'origin', origin.url);
      await writeFile(path.join(repo.path, 'README.md'), 'my local edit\n');
      await startWorker('agent-writes-file.sh', { CLAUDINE_GH_COMMAND: fixture('gh-prints-url.sh') });
      for (const mergeStrategy of ['branch', 'pr', 'patch', 'none', 'auto'] as const) {
        const task = await finished(await delegate({ mergeStrategy }));
        expect(task.state).toBe('completed');
        const expected = {
          branch: 'kept',
          pr: 'pr_opened',
          patch: 'patch',
          none: 'skipped',
          auto: 'refused',
        }[mergeStrategy];
        expect(task.result?.merge).toMatchObject({ strategy: mergeStrategy, outcome: expected });
        expect(await readFile(path.join(repo.path, 'README.md'), 'utf8')).toBe('my local edit\n');
      }
      expect(await repo.git('log', '--format=%s', '-1', 'main')).toBe('Initial commit');
      await origin.remove();
    });

    it('fast-forwards a clean checked-out base and brings its files along', async () => {
      await startWorker('agent-writes-file.sh');
      const task = await finished(await delegate({ mergeStrategy: 'auto' }));
      expect(task.result?.merge).toMatchObject({
        outcome: 'merged',
        baseBranch: 'main',
        mergedCommit: task.result?.commit,
      });
      expect(await readFile(path.join(repo.path, 'agent-output.txt'), 'utf8')).toBe(
        'written by the fake agent\n',
      );
      expect(await repo.git('status', '--porcelain')).toBe('');
    });

    it('keeps or deletes the worktree as the task asks', async () => {
      await startWorker('agent-reports-error.sh');
      const deleted = await finished(await delegate({ worktreeCleanup: 'delete' }));
      expect(deleted.state).toBe('failed');
      await expect(stat(path.join(dataDir.path, 'worktrees', deleted.id))).rejects.toThrow();
      const kept = await finished(await delegate({ worktreeCleanup: 'auto' }));
      expect((await stat(path.join(dataDir.path, 'worktrees', kept.id))).isDirectory()).toBe(true);
      // The branch stays either way: the work is never lost with the worktree.
      expect(await repo.git('rev-parse', '--verify', `claudine/${deleted.id}`)).toMatch(/^[0-9a-f]{40}$/);
    });

    it('reports in a dry run what would be committed and merged, changing nothing', async () => {
      await startWorker('agent-writes-file.sh');
      const head = await repo.git('rev-parse', 'main');
      const task = await finished(await delegate({ mergeStrategy: 'auto', dryRun: true }));
      expect(task.state).toBe('completed');
      expect(task.result?.merge).toMatchObject({ outcome: 'dry_run', baseBranch: 'main', conflicts: [] });
      expect(task.result?.merge?.diffstat).toContain('agent-output.txt');
      expect(task.result?.merge?.detail).toContain('would merge cleanly into main');
      expect(task.result?.changedFiles).toEqual(['agent-output.txt']);
      // Nothing moved: no task branch, the base where it was, no worktree left.
      expect(await repo.git('rev-parse', 'main')).toBe(head);
      await expect(repo.git('rev-parse', '--verify', `claudine/${task.id}`)).rejects.toThrow();
      await expect(stat(path.join(dataDir.path, 'worktrees', task.id))).rejects.toThrow();
      expect(await repo.git('status', '--porcelain')).toBe('');
    });

    it('reports in a dry run the conflicts a merge would meet', async () => {
      await repo.git('branch', 'feature');
      await startWorker('agent-races-the-base.sh');
      const task = await finished(
        await delegate({ baseRef: 'feature', mergeStrategy: 'auto', dryRun: true }),
      );
      expect(task.result?.merge).toMatchObject({ outcome: 'dry_run', conflicts: ['agent-output.txt'] });
      expect(await repo.git('show', 'feature:agent-output.txt')).toBe('theirs');
    });

    it('never merges a task that failed', async () => {
      await startWorker('agent-reports-error.sh');
      const task = await finished(await delegate({ mergeStrategy: 'auto' }));
      expect(task.state).toBe('failed');
      expect(await repo.git('log', '--format=%s', '-1', 'main')).toBe('Initial commit');
    });
  });

  describe('URL repositories', () => {
    let remote: GitFixture & { url: string };
    let ghDir: TempDir;

    beforeEach(async () => {
      await repo.git('branch', 'feature');
      remote = await createBareRemote(repo);
      ghDir = await createTempDir('claudine-gh-');
      await copyFile(fixture('gh'), path.join(ghDir.path, 'gh'));
      await chmod(path.join(ghDir.path, 'gh'), 0o755);
    });
    afterEach(async () => {
      await remote.remove();
      await ghDir.remove();
    });

    /** The arguments of each `gh` call the stand-in recorded. */
    async function ghCalls(): Promise<string[][]> {
      const files = (await readdir(ghDir.path)).filter((name) => name.startsWith('gh-call-'));
      return Promise.all(
        files.map(async (name) =>
          (await readFile(path.join(ghDir.path, name), 'utf8')).split('\0').slice(0, -1),
        ),
      );
    }

    it('works from a mirror and pushes the task branch to the remote for strategy branch', async () => {
      await startWorker('agent-writes-file.sh');
      const task = await finished(await delegate({ repository: remote.url }));
      expect(task.state).toBe('completed');
      expect(task.result?.merge).toMatchObject({ outcome: 'pushed', pushed: true, remote: remote.url });
      expect(await remote.git('show', `claudine/${task.id}:agent-output.txt`)).toBe(
        'written by the fake agent',
      );
      // The base branch of the remote did not move, and the mirror is this worker's own.
      expect(await remote.git('rev-parse', 'main')).toBe(await repo.git('rev-parse', 'main'));
      expect(
        (await readdir(path.join(dataDir.path, 'mirrors'))).filter((n) => n.endsWith('.git')),
      ).toHaveLength(1);
    });

    it('keeps serving a repository whose remote moved the branch of a kept worktree', async () => {
      await startWorker('agent-writes-unique-file.sh');
      const kept = await finished(await delegate({ repository: remote.url, worktreeCleanup: 'keep' }));
      expect(kept.result?.merge).toMatchObject({ outcome: 'pushed' });
      // Someone moves the task's branch on the remote, while the worktree holding it is kept here.
      await repo.git('push', '-q', '--force', remote.url, `main:refs/heads/claudine/${kept.id}`);
      const next = await finished(await delegate({ repository: remote.url }));
      expect(next.state).toBe('completed');
      expect(next.result?.merge).toMatchObject({ outcome: 'pushed' });
    });

    it('pushes, then opens a pull request with gh from PATH, titled and described from the task', async () => {
      const originalPath = process.env.PATH;
      process.env.PATH = `${ghDir.path}${path.delimiter}${originalPath ?? ''}`;
      try {
        await startWorker('agent-writes-file.sh');
        const task = await finished(await delegate({ repository: remote.url, mergeStrategy: 'pr' }));
        expect(task.result?.merge).toMatchObject({
          strategy: 'pr',
          outcome: 'pr_opened',
          pushed: true,
          baseBranch: 'main',
          prUrl: 'https://github.example/acme/demo/pull/7',
        });
        expect(await remote.git('rev-parse', `claudine/${task.id}`)).toBe(task.result?.commit);
        const [call, ...others] = await ghCalls();
        expect(others).toEqual([]);
        expect(call?.slice(0, 6)).toEqual([
          'pr',
          'create',
          '--head',
          `claudine/${task.id}`,
          '--base',
          'main',
        ]);
        const option = (name: string) => call?.[call.indexOf(name) + 1] ?? '';
        expect(option('--title')).toBe('do the thing');
        const body = option('--body');
        for (const expected of [
          task.id,
          'do the thing\nin detail',
          'wrote it',
          '$0.2500',
          '`agent-output.txt`',
        ])
          expect(body).toContain(expected);
      } finally {
        process.env.PATH = originalPath;
      }
    });

    it('pushes the branch and says why when no pull request can be opened', async () => {
      await startWorker('agent-writes-file.sh', { CLAUDINE_GH_COMMAND: 'gh-not-installed-here' });
      const task = await finished(await delegate({ repository: remote.url, mergeStrategy: 'pr' }));
      expect(task.state).toBe('completed');
      expect(task.result?.merge).toMatchObject({ outcome: 'pushed', pushed: true });
      expect(task.result?.merge?.detail).toContain('gh-not-installed-here is not installed');
      expect(await remote.git('rev-parse', `claudine/${task.id}`)).toBe(task.result?.commit);
    });

    it('auto-merges concurrent tasks into the remote base by compare-and-swap pushes, losing none', async () => {
      await startWorker('agent-writes-unique-file.sh', { CLAUDINE_WORKER_CAPACITY: '6' });
      const ids = await Promise.all(
        Array.from({ length: 6 }, () =>
          delegate({ repository: remote.url, baseRef: 'feature', mergeStrategy: 'auto' }),
        ),
      );
      const tasks = await Promise.all(ids.map((id) => finished(id, 40_000)));
      for (const task of tasks)
        // The detail, compared too, says why when a merge did not happen.
        expect(task.result?.merge).toMatchObject({
          outcome: 'merged',
          baseBranch: 'feature',
          pushed: true,
          detail: expect.stringContaining('merged into feature at file://'),
        });
      const files = (await remote.git('ls-tree', '--name-only', 'feature')).split('\n');
      for (const id of ids) expect(files).toContain(`${id}.txt`);
      expect(await remote.git('rev-parse', 'main')).toBe(await repo.git('rev-parse', 'main'));
    }, 60_000);

    it('reports a conflict with the remote base, merging nothing and pushing the branch', async () => {
      await startWorker('agent-races-the-base.sh');
      const task = await finished(
        await delegate({ repository: remote.url, baseRef: 'feature', mergeStrategy: 'auto' }),
      );
      expect(task.result?.merge).toMatchObject({
        outcome: 'conflict',
        conflicts: ['agent-output.txt'],
        pushed: true,
      });
      expect(await remote.git('show', 'feature:agent-output.txt')).toBe('theirs');
      expect(await remote.git('show', `claudine/${task.id}:agent-output.txt`)).toBe('ours');
      // The backup patch is kept, and downloadable through the API (kept in Redis).
      expect((await store.getPatch(task.id))?.patch.toString()).toContain('+ours');
    });

    it('refuses a URL scheme the worker does not accept, before creating anything', async () => {
      await startWorker('agent-writes-file.sh', { CLAUDINE_REPOSITORY_URL_SCHEMES: 'https,ssh' });
      const task = await finished(await delegate({ repository: remote.url }));
      expect(task.error).toMatchObject({ code: 'POLICY_REFUSED' });
      expect(task.error?.message).toContain('"file" is not allowed');
      await expect(stat(path.join(dataDir.path, 'mirrors'))).rejects.toThrow();
    });
  });

  describe('repository setup', () => {
    it('runs the setup command in the new worktree before the agent, its output in the log', async () => {
      await startWorker('agent-writes-file.sh', {
        CLAUDINE_SETUP_COMMANDS: JSON.stringify({
          [repo.path]:
            'echo "setting up $CLAUDINE_TASK_ID redis=${REDIS_URL:-hidden}"; echo ready > setup-done.txt',
        }),
      });
      const task = await finished(await delegate());
      expect(task.state).toBe('completed');
      expect(task.result?.changedFiles).toEqual(['agent-output.txt', 'setup-done.txt']);
      const events = await readTaskEvents(redis, keys, task.id, 0, { count: 1_000 });
      const types = events.map((event) => event.type);
      expect(types.indexOf('setup.finished')).toBeLessThan(types.indexOf('agent.init'));
      expect(events).toContainEqual(
        expect.objectContaining({
          type: 'setup.output',
          data: { stream: 'stdout', line: `setting up ${task.id} redis=hidden` },
        }),
      );
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'setup.finished', data: expect.objectContaining({ exitCode: 0 }) }),
      );
    });

    it('fails the task clearly when its setup fails, without starting the agent or retrying', async () => {
      await startWorker('agent-writes-file.sh', {
        CLAUDINE_SETUP_COMMANDS: JSON.stringify({ '*': 'echo "npm ERR! missing lockfile" >&2; exit 3' }),
      });
      const task = await finished(await delegate());
      expect(task.state).toBe('failed');
      expect(task.error?.code).toBe('SETUP_FAILED');
      expect(task.error?.message).toContain('exited with 3');
      expect(task.error?.message).toContain('npm ERR! missing lockfile');
      expect(task.attempts).toHaveLength(1);
      expect(task.attempts[0]?.agentStartedAtMs).toBeUndefined();
    });

    it('refuses a setup configuration that is not a JSON object of commands, naming the variable', () => {
      expect(() => loadConfig({ CLAUDINE_SETUP_COMMANDS: '{"/srv/repo": ' })).toThrow(
        /CLAUDINE_SETUP_COMMANDS/,
      );
      expect(() => loadConfig({ CLAUDINE_SETUP_COMMANDS: '{"/srv/repo": 1}' })).toThrow(
        /CLAUDINE_SETUP_COMMANDS/,
      );
    });
  });

  it('registers itself with a heartbeat and leaves the registry on close', async () => {
    const service = await startWorker('agent-writes-file.sh');
    const registry = new WorkerRegistry(redis, keys);
    expect(await registry.list()).toEqual([
      expect.objectContaining({ id: 'test-worker', capacity: 2, pid: process.pid, runningTaskIds: [] }),
    ]);
    await service.close();
    worker = undefined;
    expect(await registry.list()).toEqual([]);
  });
});
