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
  publishCancel,
  readTaskEvents,
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
const WATCH_BLOCK_MS = 5_000;

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
   * A task's events after `fromOffset`, live, until its final state event. Each watch reads on
   * a connection of its own (blocking reads), closed when the watch ends or is abandoned.
   */
  async *watch(
    taskId: string,
    fromOffset: number,
    follow: boolean,
    signal: AbortSignal,
  ): AsyncGenerator<TaskEvent> {
    const id = parseOrThrow(TaskIdSchema, taskId, 'task_id');
    if (!Number.isInteger(fromOffset) || fromOffset < 0) {
      throw new AppError('INVALID_ARGUMENT', 'from_offset: must be a whole number, 0 or more', {
        details: { fields: ['from_offset'] },
      });
    }
    await this.options.store.getOrThrow(id);
    if (!follow) {
      yield* this.readAll(id, fromOffset);
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
    let offset = fromOffset;
    try {
      while (!signal.aborted) {
        const events = await readTaskEvents(reader, this.options.keys, id, offset, {
          blockMs: WATCH_BLOCK_MS,
        });
        for (const event of events) {
          yield event;
          offset = event.offset;
          if (event.type === 'task.state' && isTerminalState(event.data.state)) return;
        }
        if (events.length === 0) {
          // Nothing new: the caller may be past the final event of a task that already ended.
          const task = await this.options.store.getOrThrow(id);
          if (isTerminalState(task.state)) {
            yield* this.readAll(id, offset);
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
