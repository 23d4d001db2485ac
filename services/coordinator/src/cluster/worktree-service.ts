import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '@claudine/core';
import {
  closeRedis,
  nextWorktreeGcReply,
  publishWorktreeGc,
  readWorktreeInventories,
  waitForRedis,
  type Keyspace,
  type WorkerRegistry,
  type WorktreeCollection,
  type WorktreeRecord,
} from '@claudine/store';

export interface WorktreeServiceOptions {
  redis: Redis;
  keys: Keyspace;
  registry: WorkerRegistry;
  /** How long a collection waits for the workers' answers. */
  gcTimeoutMs: number;
}

/** A kept worktree, with the worker that holds it. */
export interface WorktreeView extends WorktreeRecord {
  workerId: string;
}

export interface WorktreeListing {
  worktrees: WorktreeView[];
  /** Live workers that did not publish an inventory (yet). */
  workersWithoutInventory: string[];
}

/** One worker's answer to a collection (or why there is none). */
export interface WorkerCollection {
  workerId: string;
  removed: WorktreeView[];
  kept: number;
  freedBytes: number;
  /** Set when the worker could not collect, or did not answer in time. */
  error?: string;
}

export interface CollectInput {
  /** '' or absent: every live worker. */
  workerId?: string;
  /** 0 or absent: each worker's configured limit. */
  maxAgeMs?: number;
  maxCount?: number;
  maxTotalBytes?: number;
  dryRun?: boolean;
}

const LIMIT_FIELDS = [
  ['maxAgeMs', 'max_age_ms'],
  ['maxCount', 'max_count'],
  ['maxTotalBytes', 'max_total_bytes'],
] as const;

/**
 * The worktrees kept on the workers: each live worker publishes its inventory in Redis; a
 * collection is asked of the workers over pub/sub and each answers on a list of the request.
 */
export class WorktreeService {
  private readonly waiting = new Set<Redis>();

  constructor(private readonly options: WorktreeServiceOptions) {}

  /**
   * The worktrees of every live worker (or of one), as last published.
   * @throws AppError WORKER_NOT_FOUND when `workerId` is not a live worker
   */
  async list(workerId = ''): Promise<WorktreeListing> {
    const { redis, keys } = this.options;
    const workerIds = await this.targets(workerId);
    const inventories = await readWorktreeInventories(redis, keys, workerIds);
    return {
      worktrees: workerIds.flatMap(
        (id) => inventories.get(id)?.worktrees.map((worktree) => ({ workerId: id, ...worktree })) ?? [],
      ),
      workersWithoutInventory: workerIds.filter((id) => !inventories.has(id)),
    };
  }

  /**
   * Asks the live workers (or one) to collect their kept worktrees, and waits for each answer up
   * to the deadline; a worker that does not answer in time gets an entry saying so.
   * @throws AppError INVALID_ARGUMENT (a negative limit), WORKER_NOT_FOUND
   */
  async collect(input: CollectInput): Promise<WorkerCollection[]> {
    for (const [field, wireName] of LIMIT_FIELDS) {
      const value = input[field] ?? 0;
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new AppError(
          'INVALID_ARGUMENT',
          `${wireName}: must be a whole number, 0 (the worker's configured limit) or more`,
          { details: { fields: [wireName] } },
        );
      }
    }
    const { redis, keys, gcTimeoutMs } = this.options;
    const targets = await this.targets(input.workerId ?? '');
    if (targets.length === 0) return [];

    const requestId = randomUUID();
    const deadline = Date.now() + gcTimeoutMs;
    // BLPOP blocks its connection: one of its own, closed after (or by close()).
    const blocking = redis.duplicate({ connectionName: `worktree-gc:${requestId}` });
    blocking.on('error', () => undefined);
    this.waiting.add(blocking);
    const answers = new Map<string, WorkerCollection>();
    try {
      await waitForRedis(blocking, gcTimeoutMs);
      await publishWorktreeGc(redis, keys, {
        requestId,
        workerId: input.workerId || undefined,
        maxAgeMs: input.maxAgeMs || undefined,
        maxCount: input.maxCount || undefined,
        maxTotalBytes: input.maxTotalBytes || undefined,
        dryRun: input.dryRun ?? false,
      });
      while (targets.some((id) => !answers.has(id))) {
        const reply = await nextWorktreeGcReply(blocking, keys, requestId, deadline - Date.now());
        if (!reply) break;
        // A worker that joined since the targets were listed may answer a broadcast too.
        if (!answers.has(reply.workerId)) answers.set(reply.workerId, toWorkerCollection(reply));
      }
    } finally {
      this.waiting.delete(blocking);
      await closeRedis(blocking);
    }
    const late = `did not answer within ${gcTimeoutMs / 1000}s`;
    const extra = [...answers.keys()].filter((id) => !targets.includes(id)).sort();
    return [...targets, ...extra].map(
      (id) => answers.get(id) ?? { workerId: id, removed: [], kept: 0, freedBytes: 0, error: late },
    );
  }

  /** Ends the collections still waiting (their callers get an error). */
  close(): void {
    for (const connection of this.waiting) connection.disconnect();
  }

  /** The live workers asked about: all of them, or the one named, which must be live. */
  private async targets(workerId: string): Promise<string[]> {
    const live = (await this.options.registry.list()).map((worker) => worker.id);
    if (workerId === '') return live;
    if (!live.includes(workerId)) {
      throw new AppError(
        'WORKER_NOT_FOUND',
        `worker_id: no live worker "${workerId}" (claudine workers lists them)`,
        { details: { fields: ['worker_id'] } },
      );
    }
    return [workerId];
  }
}

function toWorkerCollection(reply: WorktreeCollection): WorkerCollection {
  return {
    workerId: reply.workerId,
    removed: reply.removed.map((worktree) => ({ workerId: reply.workerId, ...worktree })),
    kept: reply.kept,
    freedBytes: reply.freedBytes,
    error: reply.error,
  };
}
