import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Keyspace } from './keyspace';

/** One kept worktree on a worker, as the worker reports it. */
export const WorktreeRecordSchema = z.object({
  /** The directory name under `<data dir>/worktrees`: the id of the task that made it. */
  taskId: z.string(),
  path: z.string(),
  /** The repository that owns it (a user's repository, or the worker's mirror); '' when unknown. */
  repository: z.string(),
  /** Its checked-out branch; '' when detached or unreadable. */
  branch: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  modifiedAtMs: z.number(),
  /** A task running on the worker uses it: never collected. */
  inUse: z.boolean(),
});
export type WorktreeRecord = z.infer<typeof WorktreeRecordSchema>;

/** What a worker publishes at `{p}:worker:<id>:worktrees`. */
export const WorktreeInventorySchema = z.object({
  workerId: z.string(),
  updatedAtMs: z.number(),
  worktrees: z.array(WorktreeRecordSchema),
});
export type WorktreeInventory = z.infer<typeof WorktreeInventorySchema>;

const Limit = z.number().int().nonnegative().optional();

/**
 * A collection request on `{p}:worktrees:gc`. Absent or 0 limits take each worker's configured
 * limit; no `workerId`: every worker.
 */
export const WorktreeGcRequestSchema = z.object({
  requestId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/),
  workerId: z.string().min(1).optional(),
  maxAgeMs: Limit,
  maxCount: Limit,
  maxTotalBytes: Limit,
  dryRun: z.boolean().default(false),
});
export type WorktreeGcRequest = z.input<typeof WorktreeGcRequestSchema>;
export type ParsedWorktreeGcRequest = z.output<typeof WorktreeGcRequestSchema>;

/** A worker's answer to a collection request (pushed on `{p}:worktrees:gc:<request id>`). */
export const WorktreeCollectionSchema = z.object({
  workerId: z.string(),
  removed: z.array(WorktreeRecordSchema),
  /** Worktrees left on the worker, in use ones included. */
  kept: z.number().int().nonnegative(),
  freedBytes: z.number().nonnegative(),
  /** Set when the worker could not collect. */
  error: z.string().optional(),
});
export type WorktreeCollection = z.infer<typeof WorktreeCollectionSchema>;

/** The answers of one request expire this long after the last one (nobody reads them after). */
export const WORKTREE_GC_REPLY_TTL_SECONDS = 60;

/** Publishes a worker's inventory, replacing the previous one; it expires after `ttlMs` unless touched. */
export async function writeWorktreeInventory(
  redis: Redis,
  keys: Keyspace,
  inventory: WorktreeInventory,
  ttlMs: number,
): Promise<void> {
  await redis.set(keys.workerWorktrees(inventory.workerId), JSON.stringify(inventory), 'PX', ttlMs);
}

/**
 * Extends the life of a published inventory (cheap: no new content).
 * @returns false when there was none (it expired, or was never written)
 */
export async function touchWorktreeInventory(
  redis: Redis,
  keys: Keyspace,
  workerId: string,
  ttlMs: number,
): Promise<boolean> {
  return (await redis.pexpire(keys.workerWorktrees(workerId), ttlMs)) === 1;
}

export async function removeWorktreeInventory(redis: Redis, keys: Keyspace, workerId: string): Promise<void> {
  await redis.del(keys.workerWorktrees(workerId));
}

/**
 * The inventories of these workers, by id; a worker without one (or with an unreadable one) is
 * absent from the map.
 */
export async function readWorktreeInventories(
  redis: Redis,
  keys: Keyspace,
  workerIds: readonly string[],
): Promise<Map<string, WorktreeInventory>> {
  const inventories = new Map<string, WorktreeInventory>();
  if (workerIds.length === 0) return inventories;
  const values = await redis.mget(workerIds.map((id) => keys.workerWorktrees(id)));
  workerIds.forEach((workerId, index) => {
    const value = values[index];
    if (value === null || value === undefined) return;
    const parsed = WorktreeInventorySchema.safeParse(safeJson(value));
    if (parsed.success && parsed.data.workerId === workerId) inventories.set(workerId, parsed.data);
  });
  return inventories;
}

/** Asks the workers (one, or all of them) to collect their kept worktrees. */
export async function publishWorktreeGc(
  redis: Redis,
  keys: Keyspace,
  request: WorktreeGcRequest,
): Promise<void> {
  await redis.publish(keys.worktreeGcChannel, JSON.stringify(WorktreeGcRequestSchema.parse(request)));
}

/**
 * Subscribes a connection in subscriber mode (it may already carry other subscriptions, such as
 * the cancel channel) to collection requests. A message that fails validation goes to `onInvalid`.
 * @returns a function that unsubscribes.
 */
export async function subscribeToWorktreeGc(
  subscriber: Redis,
  keys: Keyspace,
  onRequest: (request: ParsedWorktreeGcRequest) => void,
  onInvalid: (raw: string, reason: string) => void,
): Promise<() => Promise<void>> {
  const listener = (channel: string, raw: string): void => {
    if (channel !== keys.worktreeGcChannel) return;
    const parsed = WorktreeGcRequestSchema.safeParse(safeJson(raw));
    if (parsed.success) onRequest(parsed.data);
    else
      onInvalid(
        raw,
        parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
      );
  };
  subscriber.on('message', listener);
  await subscriber.subscribe(keys.worktreeGcChannel);
  return async () => {
    subscriber.off('message', listener);
    await subscriber.unsubscribe(keys.worktreeGcChannel);
  };
}

/** A worker's answer: pushed on the request's reply list, which expires a minute later. */
export async function replyToWorktreeGc(
  redis: Redis,
  keys: Keyspace,
  requestId: string,
  collection: WorktreeCollection,
): Promise<void> {
  const list = keys.worktreeGcReplies(requestId);
  await redis
    .multi()
    .rpush(list, JSON.stringify(collection))
    .expire(list, WORKTREE_GC_REPLY_TTL_SECONDS)
    .exec();
}

/**
 * Waits for the next answer to a request, up to `timeoutMs`. Blocks its connection: give it one
 * of its own.
 * @returns undefined when none came in time; an unreadable answer is skipped
 */
export async function nextWorktreeGcReply(
  blocking: Redis,
  keys: Keyspace,
  requestId: string,
  timeoutMs: number,
): Promise<WorktreeCollection | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) return undefined;
    // BLPOP takes seconds, with decimals; 0 would mean forever.
    const popped = await blocking.blpop(keys.worktreeGcReplies(requestId), Math.max(remainingMs, 10) / 1000);
    if (!popped) return undefined;
    const parsed = WorktreeCollectionSchema.safeParse(safeJson(popped[1]));
    if (parsed.success) return parsed.data;
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
