import { randomUUID } from 'node:crypto';
import { stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isTerminalState, newTaskId, TaskSpecSchema, type TaskSpecInput } from '@claudine/core';
import { git } from '@claudine/git';
import { createLogger } from '@claudine/observability';
import {
  closeRedis,
  createKeyspace,
  createRedisConnection,
  createTaskQueue,
  nextWorktreeGcReply,
  publishWorktreeGc,
  readWorktreeInventories,
  TaskStore,
  type Keyspace,
  type TaskQueue,
  type WorktreeRecord,
} from '@claudine/store';
import {
  createGitRepository,
  createTempDir,
  startRedis,
  waitFor,
  type GitFixture,
  type RedisHarness,
  type TempDir,
} from '@claudine/testing';
import type { Redis } from 'ioredis';
import { loadConfig } from '../src/config';
import { WorkerService } from '../src/worker-service';
import { WorktreeCollector } from '../src/workspace/worktree-collector';
import { WorktreeManager } from '../src/workspace/worktree-manager';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const logger = createLogger({ name: 'worker', level: 'silent' });
const NO_LIMITS = { maxAgeMs: 0, maxCount: 0, maxTotalBytes: 0 };

/** Whether a path exists. */
const exists = (target: string): Promise<boolean> =>
  stat(target).then(
    () => true,
    () => false,
  );

describe('worktree collector', () => {
  let repo: GitFixture;
  let dataDir: TempDir;
  let manager: WorktreeManager;
  let collector: WorktreeCollector;
  /** The collector's clock: fixed, so that ages are exact. */
  let nowMs: number;

  beforeEach(async () => {
    repo = await createGitRepository({
      files: { 'README.md': '# demo\n', 'pkg/index.js': 'module.exports = 1;\n' },
    });
    dataDir = await createTempDir('claudine-collector-test-');
    manager = new WorktreeManager({
      dataDir: dataDir.path,
      authorName: 'Claudine Test',
      authorEmail: 'test@claudine.invalid',
    });
    // Whole seconds: the times set below read back exactly.
    nowMs = Math.floor(Date.now() / 1000) * 1000;
    collector = new WorktreeCollector({
      dataDir: dataDir.path,
      worktrees: manager,
      logger,
      now: () => nowMs,
    });
  });

  afterEach(async () => {
    await collector.idle();
    await repo.remove();
    await dataDir.remove();
  });

  /** Makes a task's worktree as the worker does, optionally with a file of `extraBytes`. */
  async function prepare(
    options: { extraBytes?: number; spec?: Partial<TaskSpecInput> } = {},
  ): Promise<{ taskId: string; worktreePath: string }> {
    const taskId = newTaskId();
    const workspace = await manager.prepare(
      taskId,
      TaskSpecSchema.parse({ prompt: 'p', repository: repo.path, ...options.spec }),
    );
    if (options.extraBytes)
      await writeFile(path.join(workspace.worktreePath, 'big.bin'), Buffer.alloc(options.extraBytes));
    return { taskId, worktreePath: workspace.worktreePath };
  }

  /** A worktree kept by a task that ended `ageMs` ago. */
  async function kept(ageMs: number, extraBytes = 0): Promise<{ taskId: string; worktreePath: string }> {
    const made = await prepare({ extraBytes });
    manager.finishedWith(made.worktreePath);
    await setAge(made.worktreePath, ageMs);
    return made;
  }

  /** Sets every time the collector reads (the directory, its .git file, git's HEAD and index of it). */
  async function setAge(worktreePath: string, ageMs: number): Promise<void> {
    const adminDir = await git(['rev-parse', '--absolute-git-dir'], { cwd: worktreePath });
    const when = new Date(nowMs - ageMs);
    for (const file of [
      path.join(adminDir, 'HEAD'),
      path.join(adminDir, 'index'),
      path.join(worktreePath, '.git'),
      worktreePath,
    ])
      await utimes(file, when, when);
  }

  const taskIds = (records: readonly WorktreeRecord[]): string[] => records.map((record) => record.taskId);
  const branchExists = (taskId: string): Promise<boolean> =>
    repo.git('rev-parse', '--verify', '--quiet', `refs/heads/claudine/${taskId}`).then(
      () => true,
      () => false,
    );

  it('lists every worktree, oldest first, with its repository, branch, size, time and use', async () => {
    const idle = await kept(2 * HOUR);
    const busy = await prepare();
    await setAge(busy.worktreePath, HOUR);

    const inventory = await collector.inventory();

    const gitFileBytes = (await stat(path.join(idle.worktreePath, '.git'))).size;
    expect(inventory).toEqual([
      {
        taskId: idle.taskId,
        path: path.join(dataDir.path, 'worktrees', idle.taskId),
        repository: repo.path,
        branch: `claudine/${idle.taskId}`,
        // README.md, pkg/index.js and the .git file; the repository's objects are not the worktree's.
        sizeBytes: '# demo\n'.length + 'module.exports = 1;\n'.length + gitFileBytes,
        modifiedAtMs: nowMs - 2 * HOUR,
        inUse: false,
      },
      expect.objectContaining({ taskId: busy.taskId, modifiedAtMs: nowMs - HOUR, inUse: true }),
    ]);
  });

  it('reports the mirror as the repository of a URL task, and removes its worktree there', async () => {
    const made = await prepare({ spec: { repository: `file://${repo.path}` } });
    manager.finishedWith(made.worktreePath);
    await setAge(made.worktreePath, DAY);
    const [record] = await collector.inventory();
    expect(record?.repository).toMatch(new RegExp(`^${dataDir.path}/mirrors/[0-9a-f]{24}\\.git$`));
    expect(record?.branch).toBe(`claudine/${made.taskId}`);

    const outcome = await collector.collect({ ...NO_LIMITS, maxAgeMs: 1 });
    expect(taskIds(outcome.removed)).toEqual([made.taskId]);
    expect(await exists(made.worktreePath)).toBe(false);
    // The branch stays in the mirror; git no longer lists the worktree.
    const mirror = record!.repository;
    expect(
      await git(['rev-parse', '--verify', `refs/heads/claudine/${made.taskId}`], { cwd: mirror }),
    ).toMatch(/^[0-9a-f]{40}$/);
    expect(await git(['worktree', 'list', '--porcelain'], { cwd: mirror })).not.toContain(made.taskId);
  });

  it('removes the idle worktrees older than the maximum age; their branches stay', async () => {
    const oldest = await kept(3 * DAY);
    const old = await kept(2 * DAY);
    const recent = await kept(HOUR);

    const outcome = await collector.collect({ ...NO_LIMITS, maxAgeMs: DAY });

    expect(taskIds(outcome.removed)).toEqual([oldest.taskId, old.taskId]);
    expect(outcome.kept).toBe(1);
    expect(outcome.freedBytes).toBe(outcome.removed[0]!.sizeBytes + outcome.removed[1]!.sizeBytes);
    expect(taskIds(outcome.inventory)).toEqual([recent.taskId]);
    expect(await exists(oldest.worktreePath)).toBe(false);
    expect(await exists(old.worktreePath)).toBe(false);
    expect(await exists(recent.worktreePath)).toBe(true);
    expect(await branchExists(oldest.taskId)).toBe(true);
    expect(await branchExists(old.taskId)).toBe(true);
    // Unregistered from the repository too, not just deleted.
    const registered = await repo.git('worktree', 'list', '--porcelain');
    expect(registered).not.toContain(oldest.taskId);
    expect(registered).toContain(recent.taskId);
    expect(taskIds(await collector.inventory())).toEqual([recent.taskId]);
  });

  it('removes the oldest idle worktrees beyond the maximum count, counting those in use', async () => {
    const busy = await prepare();
    await setAge(busy.worktreePath, 10 * DAY);
    const first = await kept(3 * DAY);
    const second = await kept(2 * DAY);
    const third = await kept(DAY);

    const outcome = await collector.collect({ ...NO_LIMITS, maxCount: 2 });

    expect(taskIds(outcome.removed)).toEqual([first.taskId, second.taskId]);
    expect(outcome.kept).toBe(2);
    expect(taskIds(outcome.inventory)).toEqual([busy.taskId, third.taskId]);
    expect(await exists(busy.worktreePath)).toBe(true);
  });

  it('removes the oldest idle worktrees while all of them are over the byte budget', async () => {
    const first = await kept(3 * DAY, 100_000);
    const second = await kept(2 * DAY, 100_000);
    const third = await kept(DAY, 100_000);
    const sizes = await collector.inventory();
    expect(sizes.every((record) => record.sizeBytes > 100_000)).toBe(true);

    // Room for one and a half.
    const outcome = await collector.collect({ ...NO_LIMITS, maxTotalBytes: 150_000 });

    expect(taskIds(outcome.removed)).toEqual([first.taskId, second.taskId]);
    expect(outcome.freedBytes).toBe(sizes[0]!.sizeBytes + sizes[1]!.sizeBytes);
    expect(outcome.kept).toBe(1);
    expect(await exists(third.worktreePath)).toBe(true);
  });

  it('applies no limit that is 0', async () => {
    await kept(365 * DAY, 100_000);
    await kept(300 * DAY);
    const outcome = await collector.collect(NO_LIMITS);
    expect(outcome.removed).toEqual([]);
    expect(outcome.kept).toBe(2);
  });

  it('reports in a dry run what it would remove, and removes nothing', async () => {
    const oldest = await kept(3 * DAY);
    const recent = await kept(HOUR);

    const outcome = await collector.collect({ ...NO_LIMITS, maxAgeMs: DAY, dryRun: true });

    expect(taskIds(outcome.removed)).toEqual([oldest.taskId]);
    expect(outcome.kept).toBe(1);
    expect(outcome.freedBytes).toBe(outcome.removed[0]!.sizeBytes);
    // The inventory after a dry run is everything, still there.
    expect(taskIds(outcome.inventory)).toEqual([oldest.taskId, recent.taskId]);
    expect(await exists(oldest.worktreePath)).toBe(true);
    expect(taskIds(await collector.inventory())).toEqual([oldest.taskId, recent.taskId]);
  });

  it('never removes a worktree in use, even the oldest one over every limit', async () => {
    const busy = await prepare({ extraBytes: 200_000 });
    await setAge(busy.worktreePath, 30 * DAY);
    const idle = await kept(2 * DAY);

    const outcome = await collector.collect({ maxAgeMs: 1, maxCount: 1, maxTotalBytes: 1 });

    expect(taskIds(outcome.removed)).toEqual([idle.taskId]);
    expect(outcome.kept).toBe(1);
    expect(outcome.inventory).toEqual([expect.objectContaining({ taskId: busy.taskId, inUse: true })]);
    expect(await exists(path.join(busy.worktreePath, 'big.bin'))).toBe(true);

    // Once its task is done with it, it goes like any other.
    manager.finishedWith(busy.worktreePath);
    const after = await collector.collect({ maxAgeMs: 1, maxCount: 1, maxTotalBytes: 1 });
    expect(taskIds(after.removed)).toEqual([busy.taskId]);
    expect(await exists(busy.worktreePath)).toBe(false);
    expect(await branchExists(busy.taskId)).toBe(true);
  });

  it('keeps a worktree that a task takes between the scan and its removal', async () => {
    const taken = await kept(3 * DAY);
    const other = await kept(2 * DAY);
    let continuation: Promise<unknown> | undefined;
    const racing = new WorktreeCollector({
      dataDir: dataDir.path,
      logger,
      now: () => nowMs,
      worktrees: {
        worktreesInUse: () => manager.worktreesInUse(),
        removeIfIdle: (worktreePath, repositoryPath) => {
          if (worktreePath === taken.worktreePath && !continuation) {
            // A resumed task starts in this worktree right now: it is marked in use at once.
            continuation = manager.prepareContinuation(
              newTaskId(),
              TaskSpecSchema.parse({ prompt: 'p', repository: repo.path }),
              taken.taskId,
            );
          }
          return manager.removeIfIdle(worktreePath, repositoryPath);
        },
      },
    });

    const outcome = await racing.collect({ ...NO_LIMITS, maxAgeMs: DAY });
    await continuation;

    expect(taskIds(outcome.removed)).toEqual([other.taskId]);
    expect(outcome.kept).toBe(1);
    expect(outcome.inventory).toEqual([expect.objectContaining({ taskId: taken.taskId, inUse: true })]);
    expect(await exists(taken.worktreePath)).toBe(true);
  });

  it('removes the directory of a worktree whose repository is gone', async () => {
    const orphan = await kept(2 * DAY);
    await repo.remove();
    const [record] = await collector.inventory();
    expect(record).toMatchObject({ taskId: orphan.taskId, repository: repo.path, branch: '' });

    const outcome = await collector.collect({ ...NO_LIMITS, maxAgeMs: DAY });
    expect(taskIds(outcome.removed)).toEqual([orphan.taskId]);
    expect(await exists(orphan.worktreePath)).toBe(false);
  });

  it('has nothing to report before the first worktree', async () => {
    expect(await collector.inventory()).toEqual([]);
    expect(await collector.collect({ maxAgeMs: 1, maxCount: 1, maxTotalBytes: 1 })).toEqual({
      removed: [],
      kept: 0,
      freedBytes: 0,
      inventory: [],
    });
  });
});

describe('worker worktree collection over Redis', () => {
  let redisHarness: RedisHarness;
  let redis: Redis;
  let blocking: Redis;
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
    blocking = createRedisConnection({ url: redisHarness.url, role: 'consumer' });
    store = new TaskStore(redis, keys);
    queue = createTaskQueue(redis, keys);
    repo = await createGitRepository({ files: { 'README.md': '# demo\n' } });
    dataDir = await createTempDir('claudine-worker-gc-test-');
    worker = await WorkerService.create({
      config: loadConfig({
        REDIS_URL: redisHarness.url,
        CLAUDINE_KEY_PREFIX: keys.prefix,
        CLAUDINE_WORKER_ID: 'gc-worker',
        CLAUDINE_DATA_DIR: dataDir.path,
        CLAUDINE_AGENT_COMMAND: path.join(__dirname, 'fixtures', 'agent-writes-file.sh'),
        CLAUDINE_HEARTBEAT_INTERVAL_MS: '200',
        LOG_LEVEL: 'silent',
      }),
      logger,
    });
  });

  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await queue.close();
    await closeRedis(blocking);
    await closeRedis(redis);
    await repo.remove();
    await dataDir.remove();
  });

  async function runKeptTask(): Promise<string> {
    const taskId = newTaskId();
    await store.create(
      queue,
      taskId,
      TaskSpecSchema.parse({ prompt: 'p', repository: repo.path, worktreeCleanup: 'keep' }),
    );
    await waitFor(
      async () => {
        const task = await store.get(taskId);
        return task && isTerminalState(task.state);
      },
      { timeoutMs: 15_000, description: `task ${taskId} to finish` },
    );
    return taskId;
  }

  const inventory = async (): Promise<WorktreeRecord[] | undefined> =>
    (await readWorktreeInventories(redis, keys, ['gc-worker'])).get('gc-worker')?.worktrees;

  it('publishes its inventory after a task, answers a request, and drops the inventory when it stops', async () => {
    const taskId = await runKeptTask();
    const listed = await waitFor(
      async () => (await inventory())?.find((record) => record.taskId === taskId),
      {
        description: 'the kept worktree in the published inventory',
      },
    );
    expect(listed).toMatchObject({ branch: `claudine/${taskId}`, repository: repo.path, inUse: false });
    // It lives as long as the worker beats.
    expect(await redis.pttl(keys.workerWorktrees('gc-worker'))).toBeGreaterThan(0);

    const dryRun = randomUUID();
    await publishWorktreeGc(redis, keys, {
      requestId: dryRun,
      workerId: 'gc-worker',
      maxAgeMs: 1,
      dryRun: true,
    });
    expect(await nextWorktreeGcReply(blocking, keys, dryRun, 10_000)).toMatchObject({
      workerId: 'gc-worker',
      removed: [expect.objectContaining({ taskId })],
      kept: 0,
    });
    expect(await exists(listed.path)).toBe(true);

    const collect = randomUUID();
    await publishWorktreeGc(redis, keys, { requestId: collect, maxAgeMs: 1 });
    const answer = await nextWorktreeGcReply(blocking, keys, collect, 10_000);
    expect(answer).toMatchObject({
      workerId: 'gc-worker',
      removed: [expect.objectContaining({ taskId })],
      kept: 0,
    });
    expect(answer?.freedBytes).toBeGreaterThan(0);
    expect(await exists(listed.path)).toBe(false);
    expect(await inventory()).toEqual([]);
    expect(await repo.git('rev-parse', '--verify', `claudine/${taskId}`)).toMatch(/^[0-9a-f]{40}$/);

    await worker?.close();
    expect(await redis.exists(keys.workerWorktrees('gc-worker'))).toBe(0);
  });

  it('ignores requests for other workers and malformed ones', async () => {
    const taskId = await runKeptTask();
    await waitFor(async () => (await inventory())?.some((record) => record.taskId === taskId), {
      description: 'the kept worktree in the published inventory',
    });
    const elsewhere = randomUUID();
    await publishWorktreeGc(redis, keys, { requestId: elsewhere, workerId: 'another-worker', maxAgeMs: 1 });
    await redis.publish(keys.worktreeGcChannel, 'not json');
    await redis.publish(keys.worktreeGcChannel, JSON.stringify({ requestId: 'x', maxAgeMs: -1 }));
    // Messages on one channel arrive in order: once this one is answered, the others were handled.
    const probe = randomUUID();
    await publishWorktreeGc(redis, keys, { requestId: probe, workerId: 'gc-worker', dryRun: true });
    expect(await nextWorktreeGcReply(blocking, keys, probe, 10_000)).toMatchObject({ removed: [], kept: 1 });
    expect(await redis.exists(keys.worktreeGcReplies(elsewhere))).toBe(0);
    expect(await redis.exists(keys.worktreeGcReplies('x'))).toBe(0);
    expect(await exists(path.join(dataDir.path, 'worktrees', taskId))).toBe(true);
  });
});
