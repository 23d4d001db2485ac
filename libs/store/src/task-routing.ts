import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { hasLabels, normalizeLabels, type TaskSpec } from '@claudine/core';
import type { Keyspace } from './keyspace';
import { createTaskQueue, TASK_QUEUE_NAME, workerQueueName, type TaskQueue } from './task-queue';

/**
 * Where a task's job goes. Work is spread by pull, so routing only picks the queue a job waits
 * in; the workers that consume a queue decide who runs it:
 *
 * - `tasks`                     the shared queue: every worker takes from it;
 * - `tasks-req-<hash>`          tasks that require labels: one queue per requirement set (the
 *                               sorted labels), taken by every worker whose labels include the set;
 * - `tasks-worker-<worker id>`  one worker's own queue: a same-session resume, or a task whose
 *                               affinity names that worker. The coordinator's affinity duty moves
 *                               such a job to its fallback queue when the worker is dead or
 *                               draining, or (affinity) once the affinity wait has passed.
 *
 * The task hash records the queue its job was routed to (`queue`); a worker starting a task says
 * which queue it took the job from, and the start is refused (`rerouted`) when they differ, so a
 * job moved to another queue never runs twice.
 */
export const REQUIREMENT_QUEUE_PREFIX = `${TASK_QUEUE_NAME}-req-`;
const WORKER_QUEUE_PREFIX = workerQueueName('');

/** A same-session resume waits for its worker as long as that worker lives. */
export const NO_AFFINITY_DEADLINE = 9e15;

/** How long the affinity-key record (`{p}:affinity:<key>`) lives after the last start. */
export const AFFINITY_KEY_TTL_MS = 7 * 86_400_000;

/** The queue of one requirement set: a short hash of its sorted labels joined by ','. */
export function requirementQueueName(labels: readonly string[]): string {
  const digest = createHash('sha1').update(normalizeLabels(labels).join(',')).digest('hex');
  return `${REQUIREMENT_QUEUE_PREFIX}${digest.slice(0, 16)}`;
}

/** The queue a task goes to when no preferred worker takes it: its requirement queue, or the shared one. */
export function fallbackQueueName(spec: Pick<TaskSpec, 'requires'>): string {
  return spec.requires.length > 0 ? requirementQueueName(spec.requires) : TASK_QUEUE_NAME;
}

/** The worker a worker queue belongs to; undefined for the shared and requirement queues. */
export function workerIdOfQueue(queueName: string): string | undefined {
  return queueName.startsWith(WORKER_QUEUE_PREFIX) && queueName.length > WORKER_QUEUE_PREFIX.length
    ? queueName.slice(WORKER_QUEUE_PREFIX.length)
    : undefined;
}

/**
 * Whether a worker, as its heartbeat shows it, may be given a task with these requirements:
 * it is not draining (or dead) and has every required label. Labels and state are read loosely,
 * so a heartbeat from a worker that predates them counts as unlabelled and running.
 */
export function workerCanTake(worker: object, requires: readonly string[]): boolean {
  const { state, labels } = worker as { state?: unknown; labels?: unknown };
  if (state === 'draining' || state === 'dead') return false;
  const have = Array.isArray(labels)
    ? normalizeLabels(labels.filter((label): label is string => typeof label === 'string'))
    : [];
  return hasLabels(have, requires);
}

/** The waiting reason of a task whose labels no live worker has. */
export function noCapableWorkerReason(requires: readonly string[]): string {
  return `no live worker has labels: ${requires.join(', ')}`;
}

/** Where one task's job goes; `deadlineMs` when it waits for a preferred worker (affinity, resume). */
export interface TaskRoute {
  queueName: string;
  deadlineMs?: number;
}

/** What a routing decision needs to know of the preferred worker, when the task has one. */
export interface PreferredWorker {
  id: string;
  /** Alive, not draining, and has every label the task requires. */
  eligible: boolean;
}

/**
 * The routing decision, without I/O: a same-session resume goes to its worker's queue; a task
 * with an eligible preferred worker (affinity) to that worker's queue until `nowMs +
 * affinityWaitMs`; anything else to its requirement queue or the shared queue.
 */
export function chooseRoute(input: {
  spec: Pick<TaskSpec, 'requires'>;
  resumeWorkerId?: string;
  preferred?: PreferredWorker;
  nowMs: number;
  affinityWaitMs: number;
}): TaskRoute {
  if (input.resumeWorkerId !== undefined)
    return { queueName: workerQueueName(input.resumeWorkerId), deadlineMs: NO_AFFINITY_DEADLINE };
  if (input.preferred?.eligible)
    return {
      queueName: workerQueueName(input.preferred.id),
      deadlineMs: input.nowMs + input.affinityWaitMs,
    };
  return { queueName: fallbackQueueName(input.spec) };
}

type Multi = ReturnType<Redis['multi']>;

/**
 * Queues, on a transaction that also adds the task's job, what goes with the route: the `queue`
 * field of the task hash, its requirement set (and a notice to the workers when `announce`), and
 * its entry among the affinity-routed tasks.
 */
export function addRouteWrites(
  multi: Multi,
  keys: Keyspace,
  taskId: string,
  spec: Pick<TaskSpec, 'requires'>,
  route: TaskRoute,
  announce: boolean,
): void {
  // The object form: on a transaction of BullMQ's client, hset(key, field, value) loses the value.
  multi.hset(keys.task(taskId), { queue: route.queueName });
  if (spec.requires.length > 0) {
    const name = requirementQueueName(spec.requires);
    multi.hset(keys.requirementSets, { [name]: JSON.stringify(spec.requires) });
    if (announce) multi.publish(keys.requirementSetsChannel, name);
  }
  if (route.deadlineMs !== undefined) multi.zadd(keys.affinityRouted, route.deadlineMs, taskId);
}

/** Every requirement set in use: queue name → its labels. */
export async function readRequirementSets(redis: Redis, keys: Keyspace): Promise<Map<string, string[]>> {
  const hash = await redis.hgetall(keys.requirementSets);
  const sets = new Map<string, string[]>();
  for (const [name, json] of Object.entries(hash)) {
    try {
      const labels: unknown = JSON.parse(json);
      if (Array.isArray(labels) && labels.every((label) => typeof label === 'string'))
        sets.set(name, normalizeLabels(labels));
    } catch {
      // A damaged entry names no queue a worker could serve: skipped.
    }
  }
  return sets;
}

/** BullMQ queue handles by name, opened on first use and closed together. */
export class TaskQueues {
  private readonly queues = new Map<string, TaskQueue>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  get(name: string): TaskQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = createTaskQueue(this.redis, this.keys, name);
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  async close(): Promise<void> {
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.all(queues.map((queue) => queue.close()));
  }
}
