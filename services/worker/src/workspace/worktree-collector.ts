import type { Stats } from 'node:fs';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { errorMessage } from '@claudine/core';
import { git } from '@claudine/git';
import type { Logger } from '@claudine/observability';
import {
  removeWorktreeInventory,
  replyToWorktreeGc,
  subscribeToWorktreeGc,
  touchWorktreeInventory,
  writeWorktreeInventory,
  type Keyspace,
  type ParsedWorktreeGcRequest,
  type WorktreeCollection,
  type WorktreeInventory,
  type WorktreeRecord,
} from '@claudine/store';
import type { WorktreeManager } from './worktree-manager';

/** Limits of one collection; 0 means "no limit" for each. */
export interface WorktreeLimits {
  /** Idle worktrees last changed longer ago than this are removed. */
  maxAgeMs: number;
  /** The oldest idle worktrees are removed while more than this many remain (in use ones count). */
  maxCount: number;
  /** The oldest idle worktrees are removed while all of them together take more bytes than this. */
  maxTotalBytes: number;
}

export interface CollectOptions extends WorktreeLimits {
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean;
}

export interface CollectOutcome {
  /** Removed (or, in a dry run, that would be), oldest first. */
  removed: WorktreeRecord[];
  /** Worktrees left, in use ones included. */
  kept: number;
  freedBytes: number;
  /** The worktrees on the worker after the run (all of them after a dry run). */
  inventory: WorktreeRecord[];
}

export interface WorktreeCollectorOptions {
  /** Worktrees are the directories of `<dataDir>/worktrees` (one per task id). */
  dataDir: string;
  /** Knows which worktrees are in use, and removes one only while it is not. */
  worktrees: Pick<WorktreeManager, 'worktreesInUse' | 'removeIfIdle'>;
  logger: Logger;
  /** The clock, for tests. */
  now?: () => number;
}

type RemovalReason = 'age' | 'count' | 'size';

/**
 * Reports and removes the worktrees kept on this worker (tasks with worktreeCleanup `keep`,
 * and failed or cancelled ones under `auto`). A worktree a task uses is never removed: the
 * manager checks that under the lock `prepare` takes. The task branch always stays, so the work
 * is still in the repository after its worktree is gone.
 *
 * Inventories and collections run one at a time.
 */
export class WorktreeCollector {
  private tail: Promise<unknown> = Promise.resolve();
  /** The last measured size of each worktree, with its time then. */
  private readonly sizes = new Map<string, { modifiedAtMs: number; sizeBytes: number }>();

  constructor(private readonly options: WorktreeCollectorOptions) {}

  /**
   * Every worktree directory of this worker, oldest first. Sizes are measured again only for
   * worktrees whose time changed since the last measure (a collection measures them all).
   */
  inventory(): Promise<WorktreeRecord[]> {
    return this.exclusive(() => this.scan(true));
  }

  /**
   * Removes, among the worktrees not in use: (a) each one older than `maxAgeMs`; then (b) the
   * oldest while more than `maxCount` remain; then (c) the oldest while all of them take more
   * than `maxTotalBytes`. In use worktrees count in (b) and (c) but are never removed.
   */
  collect(options: CollectOptions): Promise<CollectOutcome> {
    return this.exclusive(() => this.run(options));
  }

  /** Resolves once no inventory or collection is running (for shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const tail = this.tail;
      await tail;
      if (tail === this.tail) return;
    }
  }

  private exclusive<T>(action: () => Promise<T>): Promise<T> {
    const next = this.tail.then(action, action);
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async run({
    maxAgeMs,
    maxCount,
    maxTotalBytes,
    dryRun = false,
  }: CollectOptions): Promise<CollectOutcome> {
    const { worktrees, logger } = this.options;
    const nowMs = this.options.now?.() ?? Date.now();
    const all = await this.scan(false);
    const remaining = new Set(all);
    const skipped = new Set<WorktreeRecord>();
    const removed: WorktreeRecord[] = [];
    let freedBytes = 0;
    // Oldest first (scan sorts them); those in use are never candidates.
    const candidates = all.filter((worktree) => !worktree.inUse);
    const removable = (worktree: WorktreeRecord): boolean =>
      remaining.has(worktree) && !skipped.has(worktree);
    const remove = async (worktree: WorktreeRecord, reason: RemovalReason): Promise<void> => {
      let done = dryRun;
      if (!dryRun) {
        try {
          done = await worktrees.removeIfIdle(worktree.path, worktree.repository || undefined);
        } catch (error) {
          logger.warn({ err: error, worktree: worktree.path }, 'could not remove a kept worktree');
        }
      }
      if (!done) {
        // In use since the scan (or not removable): it stays, and counts as kept.
        skipped.add(worktree);
        return;
      }
      remaining.delete(worktree);
      removed.push(worktree);
      freedBytes += worktree.sizeBytes;
      if (!dryRun) {
        logger.info(
          {
            taskId: worktree.taskId,
            worktree: worktree.path,
            repository: worktree.repository,
            branch: worktree.branch,
            sizeBytes: worktree.sizeBytes,
            ageMs: nowMs - worktree.modifiedAtMs,
            reason,
          },
          'removed a kept worktree (its branch stays)',
        );
      }
    };

    if (maxAgeMs > 0) {
      for (const worktree of candidates) {
        if (nowMs - worktree.modifiedAtMs > maxAgeMs && removable(worktree)) await remove(worktree, 'age');
      }
    }
    if (maxCount > 0) {
      for (const worktree of candidates) {
        if (remaining.size <= maxCount) break;
        if (removable(worktree)) await remove(worktree, 'count');
      }
    }
    if (maxTotalBytes > 0) {
      let totalBytes = sumBytes(remaining);
      for (const worktree of candidates) {
        if (totalBytes <= maxTotalBytes) break;
        if (!removable(worktree)) continue;
        await remove(worktree, 'size');
        if (!remaining.has(worktree)) totalBytes -= worktree.sizeBytes;
      }
    }
    const inUse = worktrees.worktreesInUse();
    return {
      removed,
      kept: remaining.size,
      freedBytes,
      inventory: (dryRun ? all : [...remaining]).map((worktree) => ({
        ...worktree,
        inUse: inUse.has(worktree.path),
      })),
    };
  }

  private async scan(reuseSizes: boolean): Promise<WorktreeRecord[]> {
    const root = path.join(this.options.dataDir, 'worktrees');
    const entries = await readdir(root, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const records: WorktreeRecord[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      // Gone since the listing (a task's own cleanup): skip it.
      const record = await this.describe(entry.name, path.join(root, entry.name), reuseSizes).catch(
        () => undefined,
      );
      if (record) records.push(record);
    }
    const present = new Set(records.map((record) => record.path));
    for (const measured of this.sizes.keys()) if (!present.has(measured)) this.sizes.delete(measured);
    return records.sort((a, b) => a.modifiedAtMs - b.modifiedAtMs || a.taskId.localeCompare(b.taskId));
  }

  private async describe(taskId: string, worktreePath: string, reuseSize: boolean): Promise<WorktreeRecord> {
    const directory = await stat(worktreePath);
    const gitFile = path.join(worktreePath, '.git');
    const adminDir = await adminDirOf(worktreePath);
    const repository = adminDir ? repositoryOf(await commonDirOf(adminDir)) : '';
    // Without its own .git file, git would answer for whatever repository encloses the data dir.
    const branch = adminDir
      ? await git(['symbolic-ref', '--short', '-q', 'HEAD'], { cwd: worktreePath }).catch(() => '')
      : '';
    const times = await Promise.all(
      [gitFile, ...(adminDir ? [path.join(adminDir, 'HEAD'), path.join(adminDir, 'index')] : [])].map(
        (file) =>
          stat(file).then(
            (info) => info.mtimeMs,
            () => 0,
          ),
      ),
    );
    const modifiedAtMs = Math.floor(Math.max(directory.mtimeMs, ...times));
    const measured = this.sizes.get(worktreePath);
    const sizeBytes =
      reuseSize && measured?.modifiedAtMs === modifiedAtMs
        ? measured.sizeBytes
        : await treeSize(worktreePath);
    this.sizes.set(worktreePath, { modifiedAtMs, sizeBytes });
    return {
      taskId,
      path: worktreePath,
      repository,
      branch,
      sizeBytes,
      modifiedAtMs,
      inUse: this.options.worktrees.worktreesInUse().has(worktreePath),
    };
  }
}

export interface WorktreeJanitorOptions {
  workerId: string;
  collector: WorktreeCollector;
  /** A connection for commands. */
  commands: Redis;
  /** A connection in subscriber mode (shared with other subscriptions). */
  subscriber: Redis;
  keys: Keyspace;
  logger: Logger;
  /** This worker's configured limits. */
  limits: WorktreeLimits;
  /** Between periodic collections; 0: collect on request only. */
  intervalMs: number;
  /** The published inventory expires this long after the last touch (a few heartbeats). */
  inventoryTtlMs: number;
}

/**
 * The worker's side of worktree collection: collects on a timer (first right at start) and on
 * requests from the `{p}:worktrees:gc` channel, answering each on its reply list, and keeps the
 * worker's inventory published in Redis. Sizes are expensive on big trees, so the inventory is
 * recomputed only after a collection and after a task ends; each heartbeat merely extends it.
 */
export class WorktreeJanitor {
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;
  private refreshing = false;
  private refreshAgain = false;
  private published: WorktreeInventory | undefined;

  constructor(private readonly options: WorktreeJanitorOptions) {}

  async start(): Promise<void> {
    const { subscriber, keys, logger } = this.options;
    this.unsubscribe = await subscribeToWorktreeGc(
      subscriber,
      keys,
      (request) => this.track(this.answer(request)),
      (raw, reason) =>
        logger.warn(
          { message: raw.slice(0, 500), reason },
          'ignoring an invalid worktree collection request',
        ),
    );
    if (this.options.intervalMs > 0) this.schedule(0);
    else this.refresh();
  }

  /** A task ended: publishes a new inventory (coalesced with one already being made). */
  refresh(): void {
    if (this.stopped) return;
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    this.track(
      (async () => {
        try {
          do {
            this.refreshAgain = false;
            await this.publish(await this.options.collector.inventory());
          } while (this.refreshAgain && !this.stopped);
        } catch (error) {
          this.options.logger.warn({ err: error }, 'could not publish the worktree inventory');
        } finally {
          this.refreshing = false;
        }
      })(),
    );
  }

  /** On each heartbeat: keeps the inventory alive, and writes it again if it expired meanwhile. */
  async touch(): Promise<void> {
    const inventory = this.published;
    if (!inventory || this.stopped) return;
    const { commands, keys, inventoryTtlMs } = this.options;
    try {
      if (!(await touchWorktreeInventory(commands, keys, inventory.workerId, inventoryTtlMs)))
        await writeWorktreeInventory(commands, keys, inventory, inventoryTtlMs);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not extend the worktree inventory');
    }
  }

  /** Stops the timer and the subscription, waits for a collection in progress, drops the inventory. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.unsubscribe?.().catch(() => undefined);
    while (this.pending.size > 0) await Promise.all(this.pending);
    await this.options.collector.idle();
    const { commands, keys, workerId } = this.options;
    await removeWorktreeInventory(commands, keys, workerId).catch(() => undefined);
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => this.track(this.periodic()), delayMs);
  }

  private async periodic(): Promise<void> {
    try {
      const outcome = await this.collect({ ...this.options.limits, dryRun: false });
      if (outcome.removed.length > 0) {
        this.options.logger.info(
          { removed: outcome.removed.length, kept: outcome.kept, freedBytes: outcome.freedBytes },
          'collected kept worktrees',
        );
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'worktree collection failed');
    } finally {
      if (!this.stopped) this.schedule(this.options.intervalMs);
    }
  }

  private async answer(request: ParsedWorktreeGcRequest): Promise<void> {
    const { workerId, commands, keys, logger, limits } = this.options;
    if (request.workerId !== undefined && request.workerId !== workerId) return;
    let collection: WorktreeCollection;
    try {
      if (this.stopped) throw new Error('the worker is shutting down');
      const outcome = await this.collect({ ...resolveLimits(request, limits), dryRun: request.dryRun });
      collection = { workerId, removed: outcome.removed, kept: outcome.kept, freedBytes: outcome.freedBytes };
    } catch (error) {
      collection = { workerId, removed: [], kept: 0, freedBytes: 0, error: errorMessage(error) };
    }
    try {
      await replyToWorktreeGc(commands, keys, request.requestId, collection);
    } catch (error) {
      logger.warn(
        { err: error, requestId: request.requestId },
        'could not answer a worktree collection request',
      );
    }
  }

  /** Collects, then publishes what is left. */
  private async collect(options: CollectOptions): Promise<CollectOutcome> {
    const outcome = await this.options.collector.collect(options);
    await this.publish(outcome.inventory).catch((error: unknown) =>
      this.options.logger.warn({ err: error }, 'could not publish the worktree inventory'),
    );
    return outcome;
  }

  private async publish(worktrees: WorktreeRecord[]): Promise<void> {
    if (this.stopped) return;
    const { commands, keys, workerId, inventoryTtlMs } = this.options;
    const inventory: WorktreeInventory = { workerId, updatedAtMs: Date.now(), worktrees };
    await writeWorktreeInventory(commands, keys, inventory, inventoryTtlMs);
    this.published = inventory;
  }
}

/**
 * The limits of a requested collection: each one absent or 0 takes the configured one.
 */
export function resolveLimits(
  requested: Partial<WorktreeLimits>,
  configured: WorktreeLimits,
): WorktreeLimits {
  return {
    maxAgeMs: requested.maxAgeMs || configured.maxAgeMs,
    maxCount: requested.maxCount || configured.maxCount,
    maxTotalBytes: requested.maxTotalBytes || configured.maxTotalBytes,
  };
}

function sumBytes(worktrees: Iterable<WorktreeRecord>): number {
  let total = 0;
  for (const worktree of worktrees) total += worktree.sizeBytes;
  return total;
}

/** The worktree's administrative directory (`<common dir>/worktrees/<name>`), from its `.git` file. */
async function adminDirOf(worktreePath: string): Promise<string | undefined> {
  const content = await readFile(path.join(worktreePath, '.git'), 'utf8').catch(() => undefined);
  const match = content === undefined ? null : /^gitdir:\s*(.+?)\s*$/m.exec(content);
  return match?.[1] ? path.resolve(worktreePath, match[1]) : undefined;
}

/** The repository's common git directory, which the worktree's admin directory names. */
async function commonDirOf(adminDir: string): Promise<string> {
  const relative = await readFile(path.join(adminDir, 'commondir'), 'utf8').catch(() => undefined);
  return relative?.trim() ? path.resolve(adminDir, relative.trim()) : path.resolve(adminDir, '..', '..');
}

/**
 * The repository that owns a common git directory: `<repo>/.git` belongs to `<repo>`; any other
 * (a bare mirror under `<dataDir>/mirrors`) is the repository itself. Both work as the place to
 * run `git worktree remove` from.
 */
function repositoryOf(commonDir: string): string {
  return path.basename(commonDir) === '.git' ? path.dirname(commonDir) : commonDir;
}

/**
 * Bytes of the files under a directory (lstat: symlinks count as themselves and are not
 * followed). The objects shared with the repository are not under a worktree, so not counted.
 */
async function treeSize(root: string): Promise<number> {
  let total = 0;
  const pending = [root];
  for (;;) {
    const dir = pending.pop();
    if (dir === undefined) return total;
    const names = await readdir(dir).catch(() => [] as string[]);
    for (let start = 0; start < names.length; start += 256) {
      const batch = names.slice(start, start + 256).map((name) => path.join(dir, name));
      const infos = await Promise.all(batch.map((entry) => lstat(entry).catch(() => undefined)));
      infos.forEach((info: Stats | undefined, index) => {
        if (!info) return;
        if (info.isDirectory()) pending.push(batch[index] as string);
        else total += info.size;
      });
    }
  }
}
