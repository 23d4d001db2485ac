import type { Redis } from 'ioredis';
import {
  AppError,
  AttemptSchema,
  DEFAULT_TENANT,
  dependencyIds,
  TASK_STATES,
  TaskErrorSchema,
  TaskResultSchema,
  TaskSpecSchema,
  TaskStateSchema,
  type Attempt,
  type EdgeState,
  type NewTaskEvent,
  type ResumePlan,
  type Task,
  type TaskError,
  type TaskResult,
  type TaskSpec,
  type TaskState,
} from '@claudine/core';
import type { Keyspace } from './keyspace';
import {
  APPEND_EVENTS,
  CANCEL,
  EVENT_ENTRY_OVERHEAD_BYTES,
  FINISH_ATTEMPT,
  REMOVE_IF_EXPIRED,
  REQUEUE_ATTEMPT,
  START_ATTEMPT,
  HOLDS_ATTEMPT,
  UPDATE_ATTEMPT,
} from './scripts';
import { addTaskJobToTransaction, openQueueTransaction, type TaskQueue } from './task-queue';
import { addRouteWrites, AFFINITY_KEY_TTL_MS, requirementQueueName, type TaskRoute } from './task-routing';

export interface TaskStoreOptions {
  /**
   * Byte budget of each task's event stream: past it, the oldest events are dropped (never the
   * newest) and counted in the task hash's `droppedEvents`. @default 10 MiB
   */
  maxEventBytesPerTask?: number;
  /**
   * A tenant's List reads the shared indexes this many entries at a time, and at most
   * `listScanBudget` entries per page (then returns a short page with a token). @default 200, 5000
   */
  listScanBatch?: number;
  listScanBudget?: number;
}

export const DEFAULT_MAX_EVENT_BYTES_PER_TASK = 10 * 1024 * 1024;

export type StartAttemptResult =
  | { outcome: 'started'; attemptNumber: number }
  | { outcome: 'missing' }
  /** The task was moved to another queue than the one this job came from: drop the job. */
  | { outcome: 'rerouted' }
  | { outcome: 'not-runnable'; state: TaskState };

export type CancelResult =
  | { outcome: 'cancelled' }
  | { outcome: 'requested' }
  | { outcome: 'missing' }
  | { outcome: 'already-finished'; state: TaskState };

export interface FinishAttemptInput {
  state: 'completed' | 'failed' | 'cancelled';
  /** The attempt as it ended. Its `number` and `workerId` are the fence (see `fenced`). */
  attempt: Attempt;
  result?: TaskResult;
  error?: TaskError;
  reason?: string;
  /**
   * Applied only while `attempt.workerId` holds the task's current attempt: running, `attempt.number`
   * its last attempt, without an outcome yet. False for a settlement by the queue itself (a job it
   * gave up), which is not made by the attempt's holder. @default true
   */
  fenced?: boolean;
}

/**
 * How a finish ended: `finished` (applied), `fenced` (the caller no longer holds the task's
 * current attempt: another worker took it over, nothing was written), `already-finished`.
 */
export type FinishAttemptOutcome = 'finished' | 'fenced' | 'already-finished';

/** How a requeue ended: `requeued`, `fenced` (see FinishAttemptOutcome), or `not-running`. */
export type RequeueAttemptOutcome = 'requeued' | 'fenced' | 'not-running';

/** The holder of one attempt, for the fence checks. */
export interface AttemptFence {
  workerId: string;
  attemptNumber: number;
}

/** Whose a new task is, and how it relates to an earlier one (RetryTask, ResumeTask). */
export interface TaskLinks {
  /** The tenant that owns it. @default 'default' */
  tenant?: string;
  retryOf?: string;
  resumedFrom?: string;
  resume?: ResumePlan;
}

export interface ListTasksInput {
  states?: readonly TaskState[];
  pageSize: number;
  pageToken?: string;
  /** Only this tenant's tasks. */
  tenant?: string;
}

interface ScriptedRedis extends Redis {
  claudineStartAttempt(...args: (string | number)[]): Promise<[string, number?]>;
  claudineFinishAttempt(...args: (string | number)[]): Promise<[string]>;
  claudineCancel(...args: (string | number)[]): Promise<[string, string?]>;
  claudineAppendEvents(...args: (string | number)[]): Promise<number>;
  claudineRequeueAttempt(...args: (string | number)[]): Promise<[string]>;
  claudineRemoveIfExpired(...args: (string | number)[]): Promise<number>;
  claudineUpdateAttempt(...args: (string | number)[]): Promise<number>;
  claudineHoldsAttempt(...args: (string | number)[]): Promise<number>;
}

const TIE_OVERSCAN = 64;
const LIST_SCAN_BATCH = 200;
const LIST_SCAN_BUDGET = 5_000;

/**
 * The task records in Redis: their creation (atomic with the BullMQ job), state transitions
 * (Lua, see scripts.ts), reads, paging, and the per-task event stream.
 */
export class TaskStore {
  private readonly redis: ScriptedRedis;
  private readonly maxEventBytes: number;
  private readonly listScanBatch: number;
  private readonly listScanBudget: number;

  constructor(
    redis: Redis,
    private readonly keys: Keyspace,
    options: TaskStoreOptions = {},
  ) {
    this.maxEventBytes = options.maxEventBytesPerTask ?? DEFAULT_MAX_EVENT_BYTES_PER_TASK;
    this.listScanBatch = options.listScanBatch ?? LIST_SCAN_BATCH;
    this.listScanBudget = options.listScanBudget ?? LIST_SCAN_BUDGET;
    redis.defineCommand('claudineStartAttempt', { numberOfKeys: 6, lua: START_ATTEMPT });
    redis.defineCommand('claudineFinishAttempt', { numberOfKeys: 5, lua: FINISH_ATTEMPT });
    redis.defineCommand('claudineCancel', { numberOfKeys: 4, lua: CANCEL });
    redis.defineCommand('claudineAppendEvents', { numberOfKeys: 3, lua: APPEND_EVENTS });
    redis.defineCommand('claudineRequeueAttempt', { numberOfKeys: 5, lua: REQUEUE_ATTEMPT });
    redis.defineCommand('claudineRemoveIfExpired', { numberOfKeys: 10, lua: REMOVE_IF_EXPIRED });
    redis.defineCommand('claudineUpdateAttempt', { numberOfKeys: 2, lua: UPDATE_ATTEMPT });
    redis.defineCommand('claudineHoldsAttempt', { numberOfKeys: 2, lua: HOLDS_ATTEMPT });
    this.redis = redis as ScriptedRedis;
  }

  /**
   * Writes the task record, its indexes, its first event and its BullMQ job in one MULTI:
   * either all of them exist afterwards or none does.
   */
  async create(
    queue: TaskQueue,
    taskId: string,
    spec: TaskSpec,
    nowMs = Date.now(),
    links: TaskLinks = {},
    /** The job goes to `queue`; a deadline when it waits there for a preferred worker (task-routing.ts). */
    route: Omit<TaskRoute, 'queueName'> = {},
  ): Promise<Task> {
    const keys = this.keys;
    const transaction = await openQueueTransaction(queue);
    const multi = transaction as unknown as ReturnType<Redis['multi']>;
    const firstEvent = { type: 'task.state', data: JSON.stringify({ state: 'queued' }) };
    const tenant = links.tenant ?? DEFAULT_TENANT;
    multi.hset(keys.task(taskId), {
      id: taskId,
      tenant,
      spec: JSON.stringify(spec),
      state: 'queued',
      createdAt: nowMs,
      updatedAt: nowMs,
      eventSeq: 1,
      // Counted as append_event counts (scripts.ts). It is the only event: nothing to drop.
      eventBytes:
        Buffer.byteLength(firstEvent.type) + Buffer.byteLength(firstEvent.data) + EVENT_ENTRY_OVERHEAD_BYTES,
      ...(links.retryOf ? { retryOf: links.retryOf } : {}),
      ...(links.resumedFrom ? { resumedFrom: links.resumedFrom } : {}),
      ...(links.resume ? { resume: JSON.stringify(links.resume) } : {}),
      ...(spec.affinity ? { affinity: spec.affinity } : {}),
    });
    multi.zadd(keys.allTasks, nowMs, taskId);
    multi.zadd(keys.tasksInState('queued'), nowMs, taskId);
    multi.xadd(keys.events(taskId), '0-1', 'type', firstEvent.type, 'time', nowMs, 'data', firstEvent.data);
    addRouteWrites(
      multi,
      keys,
      taskId,
      spec,
      { ...route, queueName: queue.name },
      this.firstSightOfRequirements(spec),
    );
    await addTaskJobToTransaction(queue, transaction, taskId, spec.priority, spec.maxAttempts);
    const results = await transaction.exec();
    const failure = results?.find(([error]) => error !== null)?.[0];
    if (!results || failure) {
      throw new AppError(
        'INTERNAL',
        `could not write task ${taskId}: ${failure?.message ?? 'transaction aborted'}`,
        {
          cause: failure,
        },
      );
    }
    const jobResult: unknown = results[results.length - 1]?.[1];
    if (typeof jobResult === 'number' && jobResult < 0) {
      throw new AppError('INTERNAL', `BullMQ refused the job for ${taskId} (code ${jobResult})`);
    }
    return {
      id: taskId,
      spec,
      state: 'queued',
      createdAtMs: nowMs,
      updatedAtMs: nowMs,
      attempts: [],
      ...links,
      tenant,
    };
  }

  private readonly announcedRequirementSets = new Set<string>();

  /**
   * True the first time this process writes a task with these requirements: the write then
   * tells the workers (they also re-read the sets on every heartbeat, so a lost notice only delays).
   */
  firstSightOfRequirements(spec: Pick<TaskSpec, 'requires'>): boolean {
    if (spec.requires.length === 0) return false;
    const name = requirementQueueName(spec.requires);
    if (this.announcedRequirementSets.has(name)) return false;
    this.announcedRequirementSets.add(name);
    return true;
  }

  async get(taskId: string): Promise<Task | undefined> {
    const [[hashError, hash], [listError, attempts], [depsError, deps], [dependentsError, dependents]] =
      (await this.redis
        .multi()
        .hgetall(this.keys.task(taskId))
        .lrange(this.keys.attempts(taskId), 0, -1)
        .hgetall(this.keys.dependencies(taskId))
        .smembers(this.keys.dependents(taskId))
        .exec()) as [
        [Error | null, Record<string, string>],
        [Error | null, string[]],
        [Error | null, Record<string, string>],
        [Error | null, string[]],
      ];
    const readError = hashError ?? listError ?? depsError ?? dependentsError;
    if (readError) throw readError;
    if (!hash.state) return undefined;
    return decodeTask(hash, attempts, deps, dependents);
  }

  async getOrThrow(taskId: string): Promise<Task> {
    const task = await this.get(taskId);
    if (!task) throw new AppError('TASK_NOT_FOUND', `task ${taskId} does not exist`, { details: { taskId } });
    return task;
  }

  async getMany(taskIds: readonly string[]): Promise<Task[]> {
    const tasks = await Promise.all(taskIds.map((id) => this.get(id)));
    return tasks.filter((task): task is Task => task !== undefined);
  }

  /**
   * Newest first. The page token is a cursor (creation time and id of the last task shown),
   * so tasks created between two calls never shift a page.
   */
  async list({
    states,
    pageSize,
    pageToken,
    tenant,
  }: ListTasksInput): Promise<{ tasks: Task[]; nextPageToken: string }> {
    const cursor = pageToken ? decodeCursor(pageToken) : undefined;
    const indexes =
      states && states.length > 0
        ? [...new Set(states)].map((s) => this.keys.tasksInState(s))
        : [this.keys.allTasks];
    if (tenant !== undefined) return this.listOfTenant(indexes, tenant, pageSize, cursor);
    const { candidates } = await this.candidatesAfter(indexes, cursor, pageSize + TIE_OVERSCAN);
    const page = candidates.slice(0, pageSize);
    const tasks = await this.getMany(page.map((c) => c.id));
    const last = page[page.length - 1];
    const nextPageToken = candidates.length > pageSize && last ? encodeCursor(last) : '';
    return { tasks, nextPageToken };
  }

  /** Index entries after a cursor, newest first, up to `limit` from each index; `truncated` when an index had more. */
  private async candidatesAfter(
    indexes: readonly string[],
    cursor: { score: number; id: string } | undefined,
    limit: number,
  ): Promise<{ candidates: { id: string; score: number }[]; truncated: boolean }> {
    const max = cursor ? String(cursor.score) : '+inf';
    const candidates: { id: string; score: number }[] = [];
    let truncated = false;
    for (const index of indexes) {
      const flat = await this.redis.zrevrangebyscore(index, max, '-inf', 'WITHSCORES', 'LIMIT', 0, limit);
      if (flat.length / 2 >= limit) truncated = true;
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const id = flat[i] as string;
        const score = Number(flat[i + 1]);
        if (cursor && score === cursor.score && id >= cursor.id) continue;
        candidates.push({ id, score });
      }
    }
    candidates.sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return { candidates, truncated };
  }

  /**
   * One tenant's page, read from the shared indexes in batches and filtered. The cursor is the
   * last entry looked at, so paging stays exact; after listScanBudget entries without a full
   * page, the page is returned short with a token to go on.
   */
  private async listOfTenant(
    indexes: readonly string[],
    tenant: string,
    pageSize: number,
    start: { score: number; id: string } | undefined,
  ): Promise<{ tasks: Task[]; nextPageToken: string }> {
    const tasks: Task[] = [];
    let cursor = start;
    let scanned = 0;
    for (;;) {
      const { candidates, truncated } = await this.candidatesAfter(
        indexes,
        cursor,
        this.listScanBatch + TIE_OVERSCAN,
      );
      // Of several indexes, only the first listScanBatch merged entries are sure to have no
      // unread entry of another index before them.
      const batch = candidates.slice(0, this.listScanBatch);
      const tenants = await this.tenantsOf(batch.map((c) => c.id));
      for (const [i, candidate] of batch.entries()) {
        if (tenants[i] !== tenant) {
          cursor = candidate;
          continue;
        }
        const task = await this.get(candidate.id);
        if (!task) {
          cursor = candidate;
          continue;
        }
        // One more of the tenant's beyond a full page: there is a next page, from the last shown.
        if (tasks.length === pageSize) return { tasks, nextPageToken: cursor ? encodeCursor(cursor) : '' };
        tasks.push(task);
        cursor = candidate;
      }
      scanned += batch.length;
      const exhausted = !truncated && candidates.length <= this.listScanBatch;
      if (exhausted || batch.length === 0) return { tasks, nextPageToken: '' };
      if (scanned >= this.listScanBudget) return { tasks, nextPageToken: cursor ? encodeCursor(cursor) : '' };
    }
  }

  /** Each task's tenant (`default` for tasks written before tenancy; undefined for a missing task). */
  async tenantsOf(taskIds: readonly string[]): Promise<(string | undefined)[]> {
    if (taskIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of taskIds) pipeline.hmget(this.keys.task(id), 'tenant', 'state');
    const results = (await pipeline.exec()) ?? [];
    return results.map(([, value]) => {
      const [tenant, state] = (value ?? []) as (string | null)[];
      return state ? tenant || DEFAULT_TENANT : undefined;
    });
  }

  /** A task's tenant, or undefined when there is no such task. */
  async tenantOf(taskId: string): Promise<string | undefined> {
    return (await this.tenantsOf([taskId]))[0];
  }

  /**
   * When a task started waiting for a worker, read right before its attempt is claimed (for
   * `claudine_task_queue_wait_seconds`): a queued task since its last change of state (created,
   * released or handed back), a blocked one since its dependencies let it go; and whether an
   * attempt is still open (a start now takes it over from a lost worker). Not atomic with the
   * start: a metric's reading.
   */
  async waitingSince(taskId: string): Promise<{ sinceMs?: number; attemptOpen: boolean }> {
    const [fields, readyScore] = await Promise.all([
      this.redis.hmget(this.keys.task(taskId), 'state', 'updatedAt'),
      this.redis.zscore(this.keys.readyTasks, taskId),
    ]);
    const [state, updatedAt] = fields;
    const since = state === 'queued' ? updatedAt : state === 'blocked' ? readyScore : null;
    return {
      sinceMs: since === null || since === undefined ? undefined : Number(since),
      attemptOpen: state === 'running',
    };
  }

  async startAttempt(
    taskId: string,
    attempt: Omit<Attempt, 'number'>,
    nowMs = Date.now(),
    /** The queue the job was taken from; the start is refused when the task was routed elsewhere. */
    queueName = '',
  ): Promise<StartAttemptResult> {
    const k = this.keys;
    const [outcome, number] = await this.redis.claudineStartAttempt(
      k.task(taskId),
      k.attempts(taskId),
      k.events(taskId),
      k.tasksInState('queued'),
      k.tasksInState('running'),
      k.tasksInState('cancelled'),
      nowMs,
      JSON.stringify(attempt),
      this.maxEventBytes,
      taskId,
      k.prefix,
      queueName,
      AFFINITY_KEY_TTL_MS,
    );
    if (outcome === 'started') return { outcome, attemptNumber: Number(number) };
    if (outcome === 'missing' || outcome === 'rerouted') return { outcome };
    return { outcome: 'not-runnable', state: TaskStateSchema.parse(outcome) };
  }

  /**
   * Records an attempt's progress (agent started, session id) while the task runs.
   * @returns false when `attempt.workerId` no longer holds it (fenced: nothing written)
   */
  async updateAttempt(taskId: string, attempt: Attempt): Promise<boolean> {
    const written = await this.redis.claudineUpdateAttempt(
      this.keys.task(taskId),
      this.keys.attempts(taskId),
      attempt.number,
      JSON.stringify(attempt),
      attempt.workerId,
    );
    return Number(written) === 1;
  }

  /**
   * Whether a worker still holds the task's current attempt: the task runs, that attempt is its
   * last one, it is the worker's, and it has no outcome yet.
   */
  async holdsAttempt(taskId: string, fence: AttemptFence): Promise<boolean> {
    const held = await this.redis.claudineHoldsAttempt(
      this.keys.task(taskId),
      this.keys.attempts(taskId),
      fence.attemptNumber,
      fence.workerId,
    );
    return Number(held) === 1;
  }

  /** Moves a running task to its final state. Returns false when nothing was applied (see tryFinishAttempt). */
  async finishAttempt(taskId: string, input: FinishAttemptInput, nowMs = Date.now()): Promise<boolean> {
    return (await this.tryFinishAttempt(taskId, input, nowMs)) === 'finished';
  }

  /**
   * Moves a running task to its final state, if the caller still holds its current attempt
   * (unless `input.fenced` is false).
   * @throws AppError TASK_NOT_FOUND
   */
  async tryFinishAttempt(
    taskId: string,
    input: FinishAttemptInput,
    nowMs = Date.now(),
  ): Promise<FinishAttemptOutcome> {
    const k = this.keys;
    const [outcome] = await this.redis.claudineFinishAttempt(
      k.task(taskId),
      k.attempts(taskId),
      k.events(taskId),
      k.tasksInState('running'),
      k.tasksInState(input.state),
      nowMs,
      input.state,
      input.attempt.number,
      JSON.stringify(input.attempt),
      input.result ? JSON.stringify(input.result) : '',
      input.error ? JSON.stringify(input.error) : '',
      input.reason ?? '',
      this.maxEventBytes,
      taskId,
      k.prefix,
      input.fenced === false ? '' : input.attempt.workerId,
    );
    if (outcome === 'missing') throw new AppError('TASK_NOT_FOUND', `task ${taskId} does not exist`);
    if (outcome === 'finished' || outcome === 'fenced') return outcome;
    return 'already-finished';
  }

  /**
   * Closes a failed or handed-back attempt and puts the task back in `queued`, for BullMQ to run
   * again. Returns false when the task is no longer running (for example, cancelled meanwhile),
   * or when `attempt.workerId` no longer holds it (see tryRequeueAttempt).
   */
  async requeueAttempt(
    taskId: string,
    attempt: Attempt,
    reason: string,
    nowMs = Date.now(),
  ): Promise<boolean> {
    return (await this.tryRequeueAttempt(taskId, attempt, reason, nowMs)) === 'requeued';
  }

  /**
   * requeueAttempt, telling why nothing happened: `fenced` when `attempt.workerId` no longer
   * holds the task's current attempt.
   * @throws AppError TASK_NOT_FOUND
   */
  async tryRequeueAttempt(
    taskId: string,
    attempt: Attempt,
    reason: string,
    nowMs = Date.now(),
  ): Promise<RequeueAttemptOutcome> {
    const k = this.keys;
    const [outcome] = await this.redis.claudineRequeueAttempt(
      k.task(taskId),
      k.attempts(taskId),
      k.events(taskId),
      k.tasksInState('running'),
      k.tasksInState('queued'),
      nowMs,
      attempt.number,
      JSON.stringify(attempt),
      reason,
      this.maxEventBytes,
      taskId,
      attempt.workerId,
    );
    if (outcome === 'missing') throw new AppError('TASK_NOT_FOUND', `task ${taskId} does not exist`);
    if (outcome === 'requeued' || outcome === 'fenced') return outcome;
    return 'not-running';
  }

  /** Cancels a queued task at once, or marks a running one for its worker to stop. */
  async cancel(taskId: string, reason: string, nowMs = Date.now()): Promise<CancelResult> {
    const k = this.keys;
    const [outcome, finalState] = await this.redis.claudineCancel(
      k.task(taskId),
      k.events(taskId),
      k.tasksInState('queued'),
      k.tasksInState('cancelled'),
      nowMs,
      reason,
      this.maxEventBytes,
      taskId,
      k.prefix,
    );
    if (outcome === 'finished')
      return { outcome: 'already-finished', state: TaskStateSchema.parse(finalState) };
    if (outcome === 'cancelled' || outcome === 'requested' || outcome === 'missing') return { outcome };
    throw new AppError('INTERNAL', `unexpected cancel outcome ${outcome}`);
  }

  /**
   * Removes up to `limit` tasks that finished before `cutoffMs`, with their attempts and events.
   * Candidates come from the final-state indexes (scored by creation, never later than the end),
   * and each one's end time is checked in the same script that removes it.
   * @returns how many were removed
   */
  async removeFinishedBefore(cutoffMs: number, limit = 1_000): Promise<number> {
    const k = this.keys;
    let removed = 0;
    for (const state of ['completed', 'failed', 'cancelled'] as const) {
      // (A task removed here may still be named in another's dependencies: read as ended.)
      const ids = await this.redis.zrangebyscore(k.tasksInState(state), '-inf', cutoffMs, 'LIMIT', 0, limit);
      for (const id of ids) {
        removed += await this.redis.claudineRemoveIfExpired(
          k.task(id),
          k.attempts(id),
          k.events(id),
          k.allTasks,
          k.tasksInState('completed'),
          k.tasksInState('failed'),
          k.tasksInState('cancelled'),
          k.patch(id),
          k.dependencies(id),
          k.dependents(id),
          cutoffMs,
          id,
        );
      }
    }
    return removed;
  }

  /**
   * Keeps a task's patch (format-patch text) for download through the API. The worker saves it
   * before recording the task's end, so a finished task's patch is there when its result says so.
   */
  async savePatch(taskId: string, patch: StoredPatch): Promise<void> {
    await this.redis.hset(this.keys.patch(taskId), {
      patch: patch.patch,
      baseCommit: patch.baseCommit,
      headCommit: patch.headCommit,
    });
  }

  async getPatch(taskId: string): Promise<StoredPatch | undefined> {
    const hash = await this.redis.hgetallBuffer(this.keys.patch(taskId));
    if (hash.patch === undefined) return undefined;
    return {
      patch: hash.patch,
      baseCommit: hash.baseCommit?.toString() ?? '',
      headCommit: hash.headCommit?.toString() ?? '',
    };
  }

  /** Of these tasks, the ones whose cancellation was requested. */
  async cancelRequested(taskIds: readonly string[]): Promise<string[]> {
    if (taskIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of taskIds) pipeline.hget(this.keys.task(id), 'cancelRequested');
    const results = (await pipeline.exec()) ?? [];
    return taskIds.filter((_, i) => results[i]?.[1] === '1');
  }

  /**
   * Appends events to the task's stream; returns the offset of the last one (0: no such task).
   * With a fence (a worker's events), they are written only while that worker holds the task's
   * current attempt; -1 when it does not (nothing written).
   */
  async appendEvents(
    taskId: string,
    events: readonly NewTaskEvent[],
    nowMs = Date.now(),
    fence?: AttemptFence,
  ): Promise<number> {
    if (events.length === 0) return 0;
    const args: (string | number)[] = [
      this.keys.task(taskId),
      this.keys.events(taskId),
      this.keys.attempts(taskId),
      this.maxEventBytes,
      nowMs,
      fence?.workerId ?? '',
      fence?.attemptNumber ?? 0,
    ];
    for (const event of events) args.push(event.type, JSON.stringify(event.data));
    return Number(await this.redis.claudineAppendEvents(...args));
  }
}

/** A task's patch as kept in Redis. */
export interface StoredPatch {
  /** The bytes git wrote: a patch need not be UTF-8. */
  patch: Buffer;
  baseCommit: string;
  headCommit: string;
}

function parseJson(text: string | undefined): unknown {
  return text === undefined || text === '' ? undefined : JSON.parse(text);
}

function optionalNumber(text: string | undefined): number | undefined {
  return text === undefined || text === '' ? undefined : Number(text);
}

export function decodeTask(
  hash: Record<string, string>,
  attempts: string[],
  dependencies: Record<string, string> = {},
  dependents: string[] = [],
): Task {
  const result = parseJson(hash.result);
  const error = parseJson(hash.error);
  const spec = TaskSpecSchema.parse(parseJson(hash.spec));
  const edges = dependencyIds(spec)
    .filter((id) => dependencies[id] !== undefined)
    .map((id) => ({ taskId: id, state: dependencies[id] as EdgeState }));
  // Dependencies added later (AddDependencies) come after the spec's, in the hash's order.
  for (const [id, state] of Object.entries(dependencies))
    if (!edges.some((edge) => edge.taskId === id)) edges.push({ taskId: id, state: state as EdgeState });
  return {
    id: hash.id ?? '',
    // Tasks written before tenancy belong to the default tenant.
    tenant: hash.tenant || DEFAULT_TENANT,
    spec,
    state: TaskStateSchema.parse(hash.state),
    createdAtMs: Number(hash.createdAt),
    updatedAtMs: Number(hash.updatedAt),
    startedAtMs: optionalNumber(hash.startedAt),
    endedAtMs: optionalNumber(hash.endedAt),
    attempts: attempts.map((a) => AttemptSchema.parse(JSON.parse(a))),
    result: result === undefined ? undefined : TaskResultSchema.parse(result),
    error: error === undefined ? undefined : TaskErrorSchema.parse(error),
    cancelReason: hash.cancelReason || undefined,
    cancelRequested: hash.cancelRequested === '1' || undefined,
    retryOf: hash.retryOf || undefined,
    resumedFrom: hash.resumedFrom || undefined,
    resume: hash.resume ? (JSON.parse(hash.resume) as ResumePlan) : undefined,
    dependencies: edges.length > 0 ? edges : undefined,
    dependents: dependents.length > 0 ? [...dependents].sort() : undefined,
    // A reason only means something while the task waits in a queue.
    waitingReason: hash.state === 'queued' && hash.waitingReason ? hash.waitingReason : undefined,
  };
}

function encodeCursor({ id, score }: { id: string; score: number }): string {
  return Buffer.from(JSON.stringify([score, id])).toString('base64url');
}

function decodeCursor(token: string): { score: number; id: string } {
  try {
    const [score, id] = JSON.parse(Buffer.from(token, 'base64url').toString()) as [unknown, unknown];
    if (typeof score === 'number' && typeof id === 'string') return { score, id };
  } catch {
    // fall through to the error below
  }
  throw new AppError('INVALID_ARGUMENT', 'page_token: is not a token from a previous response', {
    details: { fields: ['page_token'] },
  });
}

export const ALL_TASK_STATES = TASK_STATES;
