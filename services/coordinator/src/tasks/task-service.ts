import type { Redis } from 'ioredis';
import {
  AppError,
  isTerminalState,
  newTaskId,
  parseOrThrow,
  TaskIdSchema,
  TaskSpecSchema,
  type Task,
  type TaskEvent,
  type TaskState,
} from '@claudine/core';
import {
  closeRedis,
  createRedisConnection,
  lastEventOffset,
  publishCancel,
  readTaskEvents,
  tailStartOffset,
  type Keyspace,
  type TaskQueue,
  type TaskStore,
  type WorkerHeartbeat,
  type WorkerRegistry,
} from '@claudine/store';
import type { RepositoryVerifier } from './repository-verifier';

export interface TaskServiceOptions {
  redisUrl: string;
  keys: Keyspace;
  redis: Redis;
  store: TaskStore;
  queue: TaskQueue;
  registry: WorkerRegistry;
  verifier: RepositoryVerifier;
}

export const LIST_PAGE_SIZE = { default: 50, max: 500 } as const;
export const WATCH_TAIL_MAX = 10_000;
const WATCH_BLOCK_MS = 5_000;

export interface WatchOptions {
  /** Events with an offset greater than this. */
  fromOffset: number;
  /** Stay until the task's final state event. */
  follow: boolean;
  /** 0: every event; 1 to WATCH_TAIL_MAX: start with the last `tail` (and after fromOffset). */
  tail?: number;
  /** 0: no filter; otherwise only events whose time is at or after this (epoch ms). */
  sinceMs?: number;
}

/** The coordinator's use cases, independent of the wire: gRPC (and later MCP) call these. */
export class TaskService {
  constructor(private readonly options: TaskServiceOptions) {}

  /**
   * Validates the spec, checks a local repository, then writes the task and its job atomically.
   * @throws AppError INVALID_ARGUMENT (naming the field) or REPOSITORY_* / BASE_REF_NOT_FOUND; nothing is written then.
   */
  async delegate(specInput: unknown): Promise<Task> {
    if (specInput === undefined) {
      throw new AppError('INVALID_ARGUMENT', 'spec: is required', { details: { fields: ['spec'] } });
    }
    const spec = parseOrThrow(TaskSpecSchema, specInput, 'spec');
    await this.options.verifier.verify(spec);
    return this.options.store.create(this.options.queue, newTaskId(), spec);
  }

  async get(taskId: string): Promise<Task> {
    return this.options.store.getOrThrow(parseOrThrow(TaskIdSchema, taskId, 'task_id'));
  }

  async list(input: { states: TaskState[]; pageSize: number; pageToken: string }) {
    const pageSize = input.pageSize === 0 ? LIST_PAGE_SIZE.default : input.pageSize;
    if (pageSize < 1 || pageSize > LIST_PAGE_SIZE.max) {
      throw new AppError('INVALID_ARGUMENT', `page_size: must be between 1 and ${LIST_PAGE_SIZE.max}`, {
        details: { fields: ['page_size'] },
      });
    }
    return this.options.store.list({
      states: input.states,
      pageSize,
      pageToken: input.pageToken || undefined,
    });
  }

  /**
   * A queued task is cancelled at once; a running one is flagged and its worker told, and it
   * turns `cancelled` when that worker has stopped the agent.
   * @throws AppError TASK_NOT_FOUND, TASK_ALREADY_FINISHED
   */
  async cancel(taskId: string, reason: string): Promise<Task> {
    const id = parseOrThrow(TaskIdSchema, taskId, 'task_id');
    const why = reason.trim() || 'cancelled by request';
    const outcome = await this.options.store.cancel(id, why);
    switch (outcome.outcome) {
      case 'missing':
        throw new AppError('TASK_NOT_FOUND', `task ${id} does not exist`);
      case 'already-finished':
        throw new AppError(
          'TASK_ALREADY_FINISHED',
          `task ${id} already finished (${outcome.state}); nothing to cancel`,
          {
            details: { state: outcome.state },
          },
        );
      case 'cancelled':
        // The job may already be locked by a worker; that worker then finds the task cancelled.
        await this.options.queue.remove(id).catch(() => 0);
        break;
      case 'requested':
        await publishCancel(this.options.redis, this.options.keys, { taskId: id, reason: why });
        break;
    }
    return this.options.store.getOrThrow(id);
  }

  /**
   * A task's events after `fromOffset` (or its last `tail`, or those since a time), then, with
   * `follow`, live until its final state event. Everything is validated before the first event.
   * Each follow reads on a connection of its own (blocking reads), closed when the watch ends or
   * is abandoned.
   * @throws AppError INVALID_ARGUMENT, TASK_NOT_FOUND, OUT_OF_RANGE (from_offset past the end)
   */
  async *watch(taskId: string, options: WatchOptions, signal: AbortSignal): AsyncGenerator<TaskEvent> {
    const id = parseOrThrow(TaskIdSchema, taskId, 'task_id');
    const { fromOffset, follow, tail = 0, sinceMs = 0 } = options;
    if (!Number.isInteger(fromOffset) || fromOffset < 0) {
      throw new AppError('INVALID_ARGUMENT', 'from_offset: must be a whole number, 0 or more', {
        details: { fields: ['from_offset'] },
      });
    }
    if (!Number.isInteger(tail) || tail < 0 || tail > WATCH_TAIL_MAX) {
      throw new AppError('INVALID_ARGUMENT', `tail: must be between 1 and ${WATCH_TAIL_MAX}`, {
        details: { fields: ['tail'] },
      });
    }
    if (!Number.isInteger(sinceMs) || sinceMs < 0) {
      throw new AppError('INVALID_ARGUMENT', 'since_ms: must be a time in epoch milliseconds, or 0', {
        details: { fields: ['since_ms'] },
      });
    }
    const last = await lastEventOffset(this.options.redis, this.options.keys, id);
    if (last === undefined) throw new AppError('TASK_NOT_FOUND', `task ${id} does not exist`);
    if (fromOffset > last) {
      throw new AppError(
        'OUT_OF_RANGE',
        `from_offset: ${fromOffset} is past the end of the events of ${id} (its last offset is ${last})`,
        { details: { fields: ['from_offset'], lastOffset: last } },
      );
    }
    const start =
      tail === 0
        ? fromOffset
        : Math.max(fromOffset, await tailStartOffset(this.options.redis, this.options.keys, id, tail));
    const wanted = (event: TaskEvent): boolean => sinceMs === 0 || event.timeMs >= sinceMs;
    if (!follow) {
      for await (const event of this.readAll(id, start)) if (wanted(event)) yield event;
      return;
    }
    const reader = createRedisConnection({
      url: this.options.redisUrl,
      role: 'consumer',
      name: `watch:${id}`,
    });
    reader.on('error', () => undefined);
    const onAbort = (): void => reader.disconnect();
    signal.addEventListener('abort', onAbort, { once: true });
    let offset = start;
    try {
      while (!signal.aborted) {
        const events = await readTaskEvents(reader, this.options.keys, id, offset, {
          blockMs: WATCH_BLOCK_MS,
        });
        for (const event of events) {
          if (wanted(event)) yield event;
          offset = event.offset;
          if (event.type === 'task.state' && isTerminalState(event.data.state)) return;
        }
        if (events.length === 0) {
          // Nothing new: the caller may be past the final event of a task that already ended.
          const task = await this.options.store.getOrThrow(id);
          if (isTerminalState(task.state)) {
            for await (const event of this.readAll(id, offset)) if (wanted(event)) yield event;
            return;
          }
        }
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
      await closeRedis(reader);
    }
  }

  /** Every event kept after an offset, without waiting for more. */
  private async *readAll(taskId: string, fromOffset: number): AsyncGenerator<TaskEvent> {
    let offset = fromOffset;
    for (;;) {
      const events = await readTaskEvents(this.options.redis, this.options.keys, taskId, offset);
      if (events.length === 0) return;
      yield* events;
      offset = events[events.length - 1]?.offset ?? offset;
    }
  }

  async listWorkers(): Promise<WorkerHeartbeat[]> {
    return this.options.registry.list();
  }
}
