import type { Redis } from 'ioredis';
import { AppError, DEFAULT_TENANT, dependencyIds, TASK_LIMITS, type TaskSpec } from '@claudine/core';
import {
  ADD_DEPENDENCIES,
  CREATE_WITH_DEPENDENCIES,
  MARK_QUEUED,
  RECHECK_BLOCKED,
} from './dependency-scripts';
import type { Keyspace } from './keyspace';
import { DEFAULT_MAX_EVENT_BYTES_PER_TASK, type TaskLinks } from './task-store';
import { addTaskJobToTransaction, openQueueTransaction, type TaskQueue } from './task-queue';
import { addRouteWrites, type TaskRoute } from './task-routing';

interface GraphRedis extends Redis {
  claudineCreateWithDependencies(...args: (string | number)[]): Promise<string[]>;
  claudineAddDependencies(...args: (string | number)[]): Promise<string[]>;
  claudineMarkQueued(...args: (string | number)[]): Promise<string[]>;
  claudineRecheckBlocked(...args: (string | number)[]): Promise<number>;
}

type ReleasedSpec = Pick<TaskSpec, 'priority' | 'maxAttempts' | 'affinity'> & { requires?: string[] };

/** Picks each released task's queue (and route): the coordinator's TaskRouter. */
export type ReleaseRouter = (
  taskId: string,
  spec: Pick<TaskSpec, 'requires' | 'affinity'>,
) => Promise<{ queue: TaskQueue; route: TaskRoute }>;

/** What became of a task created with dependencies. */
export type CreateWithDependenciesOutcome =
  | { outcome: 'blocked'; remaining: number }
  /** Every dependency had completed (or `continue` took their failures): queue it now. */
  | { outcome: 'ready' }
  /** A dependency had already failed or been cancelled, and the policy ended the task. */
  | { outcome: 'failed' | 'cancelled'; dependency: string };

export interface TaskGraphOptions {
  maxEventBytesPerTask?: number;
  /** How many tasks one cycle check may visit before refusing. */
  maxVisited?: number;
}

const DEFAULT_MAX_VISITED = 100_000;

/**
 * The dependency graph of tasks, kept in Redis beside the task records (see DEPENDENCY_LUA in
 * lua-library.ts): each task's edges with their states, the reverse edges, a count of pending
 * edges and the depth. Creating and adding edges validate and write in one Lua script; the end of
 * a task resolves all its dependents, cascades included, in the script that ends it. A task whose
 * dependencies are done becomes `ready`; a releaser (`release`) then adds its BullMQ job and marks
 * it queued.
 */
export class TaskGraph {
  private readonly redis: GraphRedis;
  private readonly maxEventBytes: number;
  private readonly maxVisited: number;

  constructor(
    redis: Redis,
    private readonly keys: Keyspace,
    options: TaskGraphOptions = {},
  ) {
    this.maxEventBytes = options.maxEventBytesPerTask ?? DEFAULT_MAX_EVENT_BYTES_PER_TASK;
    this.maxVisited = options.maxVisited ?? DEFAULT_MAX_VISITED;
    // numberOfKeys 1: KEYS[1] is a key in the prefix's hash-tag slot, declared only so that a Redis
    // Cluster routes the script to the node owning that slot (a script with no keys goes to any
    // node, which refuses the keys the script builds from the prefix in ARGV[1]).
    redis.defineCommand('claudineCreateWithDependencies', { numberOfKeys: 1, lua: CREATE_WITH_DEPENDENCIES });
    redis.defineCommand('claudineAddDependencies', { numberOfKeys: 1, lua: ADD_DEPENDENCIES });
    redis.defineCommand('claudineMarkQueued', { numberOfKeys: 1, lua: MARK_QUEUED });
    redis.defineCommand('claudineRecheckBlocked', { numberOfKeys: 1, lua: RECHECK_BLOCKED });
    this.redis = redis as GraphRedis;
  }

  /**
   * Writes a task that depends on others, with all its edges, or nothing.
   * @throws AppError INVALID_ARGUMENT naming `dependsOn` (unknown ids, too many, too deep)
   */
  async create(
    taskId: string,
    spec: TaskSpec,
    nowMs = Date.now(),
    links: TaskLinks = {},
  ): Promise<CreateWithDependenciesOutcome> {
    const fields: Record<string, string> = {
      id: taskId,
      tenant: links.tenant ?? DEFAULT_TENANT,
      spec: JSON.stringify(spec),
    };
    if (links.retryOf) fields.retryOf = links.retryOf;
    if (links.resumedFrom) fields.resumedFrom = links.resumedFrom;
    if (spec.affinity) fields.affinity = spec.affinity;
    const reply = await this.redis.claudineCreateWithDependencies(
      this.keys.readyTasks,
      this.keys.prefix,
      taskId,
      nowMs,
      this.maxEventBytes,
      JSON.stringify(fields),
      spec.onDependencyFailure,
      TASK_LIMITS.maxDependencies,
      TASK_LIMITS.maxDependencyDepth,
      ...dependencyIds(spec),
    );
    const [outcome, ...rest] = reply;
    switch (outcome) {
      case 'blocked':
        return { outcome, remaining: Number(rest[0]) };
      case 'ready':
        return { outcome };
      case 'failed':
      case 'cancelled':
        return { outcome, dependency: rest[0] ?? '' };
      default:
        throw refusal('spec.dependsOn', outcome, rest);
    }
  }

  /**
   * Makes a blocked task also wait for these tasks: all of the edges are written, or none.
   * @throws AppError TASK_NOT_FOUND, TASK_NOT_BLOCKED (queued, running or ended already),
   *   INVALID_ARGUMENT naming `depends_on`, DEPENDENCY_CYCLE naming the cycle
   */
  async addDependencies(
    taskId: string,
    dependencies: readonly string[],
    nowMs = Date.now(),
  ): Promise<{ remaining: number } | { ended: 'failed' | 'cancelled'; dependency: string }> {
    const [outcome, ...rest] = await this.redis.claudineAddDependencies(
      this.keys.readyTasks,
      this.keys.prefix,
      taskId,
      nowMs,
      this.maxEventBytes,
      TASK_LIMITS.maxDependencies,
      TASK_LIMITS.maxDependencyDepth,
      this.maxVisited,
      ...dependencies,
    );
    switch (outcome) {
      case 'added':
        return { remaining: Number(rest[0]) };
      case 'failed':
      case 'cancelled':
        return { ended: outcome, dependency: rest[0] ?? '' };
      case 'missing':
        throw new AppError('TASK_NOT_FOUND', `task ${taskId} does not exist`);
      case 'not_blocked':
        throw new AppError(
          'TASK_NOT_BLOCKED',
          `${taskId} is ${rest[0] === 'blocked' ? 'about to be queued' : (rest[0] ?? 'not blocked')}: only a task still waiting on its dependencies can get more`,
        );
      default:
        throw refusal('depends_on', outcome, rest);
    }
  }

  /**
   * Queues ready tasks, in three round trips whatever their number: their specs are read, their
   * BullMQ jobs added in one transaction (a duplicate id is ignored, so two releasers are
   * harmless), then they are marked queued in one script. A crash in between leaves them in the
   * ready set, for the next pass. A worker may start one as soon as its job exists: starting
   * accepts a ready task.
   * @returns the ids this call moved to queued
   */
  async release(queueOrRouter: TaskQueue | ReleaseRouter, taskIds: readonly string[]): Promise<string[]> {
    if (taskIds.length === 0) return [];
    const specs = await this.redis.pipeline(taskIds.map((id) => ['hget', this.keys.task(id), 'spec'])).exec();
    const jobs = taskIds.flatMap((taskId, i) => {
      const specJson = specs?.[i]?.[1];
      if (typeof specJson !== 'string') return [];
      // Specs stored before `requires` existed read as requiring nothing.
      const spec = JSON.parse(specJson) as ReleasedSpec;
      return [{ taskId, spec: { ...spec, requires: spec.requires ?? [] } }];
    });
    if (jobs.length > 0) {
      const routed = await Promise.all(
        jobs.map(async ({ taskId, spec }) =>
          typeof queueOrRouter === 'function'
            ? queueOrRouter(taskId, spec)
            : { queue: queueOrRouter, route: { queueName: queueOrRouter.name } },
        ),
      );
      const first = routed[0];
      if (!first) return [];
      // All of a flow's queues share one hash tag: one transaction holds every job.
      const transaction = await openQueueTransaction(first.queue);
      const multi = transaction as unknown as ReturnType<Redis['multi']>;
      for (const [i, { taskId, spec }] of jobs.entries()) {
        const { queue, route } = routed[i] ?? first;
        addRouteWrites(multi, this.keys, taskId, spec, route, spec.requires.length > 0);
        await addTaskJobToTransaction(queue, transaction, taskId, spec.priority, spec.maxAttempts);
      }
      const results = await transaction.exec();
      const failure = results?.find(([error]) => error !== null)?.[0];
      if (failure) throw failure;
    }
    // Stamped now: the jobs exist from here on.
    return this.redis.claudineMarkQueued(
      this.keys.readyTasks,
      this.keys.prefix,
      Date.now(),
      this.maxEventBytes,
      ...taskIds,
    );
  }

  /** Tasks whose dependencies are done and that wait to be queued, oldest first. */
  readyTaskIds(limit = 1_000): Promise<string[]> {
    return this.redis.zrange(this.keys.readyTasks, 0, limit - 1);
  }

  /** Blocked tasks, oldest first, one page at a time (`offset`, `count`). */
  blockedTaskIds(offset: number, count: number): Promise<string[]> {
    return this.redis.zrange(this.keys.tasksInState('blocked'), offset, offset + count - 1);
  }

  /** Resolves lost wake-ups among these blocked tasks (see RECHECK_BLOCKED); returns how many became ready. */
  async recheck(taskIds: readonly string[], nowMs = Date.now()): Promise<number> {
    if (taskIds.length === 0) return 0;
    return Number(
      await this.redis.claudineRecheckBlocked(
        this.keys.readyTasks,
        this.keys.prefix,
        nowMs,
        this.maxEventBytes,
        ...taskIds,
      ),
    );
  }
}

function refusal(field: string, outcome: string | undefined, rest: string[]): AppError {
  const details = { details: { fields: [field] } };
  switch (outcome) {
    case 'unknown':
      return new AppError('INVALID_ARGUMENT', `${field}: unknown task ${rest.join(', ')}`, details);
    case 'too_many':
      return new AppError(
        'INVALID_ARGUMENT',
        `${field}: ${rest[0]} dependencies, more than the ${TASK_LIMITS.maxDependencies} allowed`,
        details,
      );
    case 'too_deep':
      return new AppError(
        'INVALID_ARGUMENT',
        `${field}: the chain of dependencies${rest.length > 1 ? ` above ${rest[0]}` : ''} would be ${rest.at(-1)} deep, more than the ${TASK_LIMITS.maxDependencyDepth} allowed`,
        details,
      );
    case 'cycle':
      return new AppError('DEPENDENCY_CYCLE', `${field}: it would make a cycle: ${rest.join(' → ')}`, {
        details: { fields: [field], cycle: rest },
      });
    case 'too_large':
      return new AppError(
        'INVALID_ARGUMENT',
        `${field}: the graph above it is too large to check for cycles`,
        details,
      );
    case 'exists':
      return new AppError('INTERNAL', 'the task id is taken');
    default:
      return new AppError('INTERNAL', `unexpected reply from the dependency graph: ${outcome ?? 'none'}`);
  }
}
