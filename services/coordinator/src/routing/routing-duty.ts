import type { Redis } from 'ioredis';
import type { Logger } from '@claudine/observability';
import {
  fallbackQueueName,
  noCapableWorkerReason,
  readRequirementSets,
  RUN_TASK_JOB,
  taskJobOptions,
  workerCanTake,
  workerIdOfQueue,
  type Keyspace,
  type RoutedTaskInfo,
  type RoutingStore,
  type TaskQueues,
  type WorkerHeartbeat,
  type WorkerRegistry,
} from '@claudine/store';

export interface RoutingDutyOptions {
  redis: Redis;
  keys: Keyspace;
  routing: RoutingStore;
  registry: WorkerRegistry;
  queues: TaskQueues;
  logger: Logger;
  /** Only the lease holder moves jobs and sets reasons; the others' passes do nothing. */
  isLeader: () => boolean;
  /** Between two passes. @default 1000 */
  intervalMs?: number;
  /** Jobs of one requirement queue looked at per pass for a waiting reason. @default 200 */
  waitingScanLimit?: number;
  /** Told of every task moved to its fallback queue (a metric). */
  onMoved?: (taskId: string) => void;
}

/** What one pass did. */
export interface RoutingPassResult {
  moved: number;
  waiting: number;
  cleared: number;
}

const WAITING_STATES = ['waiting', 'prioritized'] as const;

/**
 * The coordinator duty behind affinity and labels, run by the lease holder every second or so:
 *
 * - a task waiting in a preferred worker's queue moves to its fallback queue (its requirement
 *   queue, or the shared one) when that worker is dead or draining, or has no longer the labels,
 *   or (affinity, not a same-session resume) once its deadline passed; a task that was running
 *   there on a worker now dead moves too, so another worker takes it over;
 * - a task whose requirements no live worker meets gets a `waitingReason`, cleared when such a
 *   worker appears.
 *
 * A move is a compare-and-set of the task's `queue` field, then the add to the new queue, then a
 * best-effort removal of the old job: a worker that took the old job meanwhile is refused at
 * start (`rerouted`), so a task runs once.
 */
export class RoutingDuty {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  /**
   * Old jobs that could not be removed when their task moved (a dead worker's lock still on
   * them): tried again each pass until their lock lapses. Kept in memory: after a lease handover
   * such a job stays behind, inert (its start would be refused).
   */
  private readonly leftovers = new Map<string, { queue: string; tries: number }>();

  constructor(private readonly options: RoutingDutyOptions) {}

  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.options.intervalMs ?? 1_000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private tick(): void {
    if (this.running || !this.options.isLeader()) return;
    this.running = this.pass()
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'routing pass failed'))
      .finally(() => {
        this.running = undefined;
      });
  }

  /** One pass (whatever the lease: callers check). */
  async pass(nowMs = Date.now()): Promise<RoutingPassResult> {
    const workers = await this.options.registry.list();
    await this.removeLeftovers();
    const moved = await this.moveAffinityRouted(workers, nowMs);
    const { waiting, cleared } = await this.updateWaitingReasons(workers, nowMs);
    return { moved, waiting, cleared };
  }

  private async moveAffinityRouted(workers: WorkerHeartbeat[], nowMs: number): Promise<number> {
    const { routing } = this.options;
    const routed = await routing.affinityRouted();
    if (routed.length === 0) return 0;
    const infos = await routing.routingOf(routed.map((entry) => entry.taskId));
    const live = new Map(
      workers.filter((w) => (w as { state?: unknown }).state !== 'dead').map((w) => [w.id, w]),
    );
    let moved = 0;
    for (const [i, entry] of routed.entries()) {
      const info = infos[i];
      if (!info || ['completed', 'failed', 'cancelled'].includes(info.state)) {
        await routing.forgetRouted(entry.taskId);
        continue;
      }
      const ownerId = workerIdOfQueue(info.queue);
      if (ownerId === undefined) {
        // Moved by an earlier pass that stopped before the add: finish it.
        await this.ensureJob(info, info.queue);
        await routing.forgetRouted(info.taskId);
        continue;
      }
      const owner = live.get(ownerId);
      let reason: string | undefined;
      if (!owner) reason = `worker ${ownerId} is not alive`;
      else if (!workerCanTake(owner, info.requires))
        reason = `worker ${ownerId} is draining or lacks the required labels`;
      else if (nowMs >= entry.deadlineMs)
        reason = `worker ${ownerId} did not take it within the affinity wait`;
      if (reason === undefined) continue;
      if (info.state === 'running' && owner) continue;
      if (await this.move(info, fallbackQueueName(info), reason, owner ? undefined : ownerId)) moved += 1;
    }
    return moved;
  }

  private async move(
    info: RoutedTaskInfo,
    to: string,
    reason: string,
    deadWorkerId: string | undefined,
  ): Promise<boolean> {
    const { routing, queues, logger } = this.options;
    const from = info.queue;
    const outcome = await routing.reroute({ taskId: info.taskId, from, to, reason, deadWorkerId });
    if (outcome !== 'rerouted') return false;
    await this.ensureJob(info, to);
    await routing.forgetRouted(info.taskId);
    // Best effort: a job a worker holds cannot be removed; that worker is refused at start.
    const removed = await queues
      .get(from)
      .remove(info.taskId)
      .catch(() => 0);
    if (removed !== 1 && (await queues.get(from).getJob(info.taskId)))
      this.leftovers.set(info.taskId, { queue: from, tries: 0 });
    logger.info(
      // The worker it waited for (or ran on, when that one died); a queued task has no attempt.
      { taskId: info.taskId, workerId: workerIdOfQueue(from) ?? null, from, to, reason },
      'task moved to its fallback queue',
    );
    this.options.onMoved?.(info.taskId);
    return true;
  }

  private async removeLeftovers(): Promise<void> {
    for (const [taskId, leftover] of this.leftovers) {
      const removed = await this.options.queues
        .get(leftover.queue)
        .remove(taskId)
        .catch(() => 0);
      leftover.tries += 1;
      // A lock lasts seconds; a minute of tries is plenty.
      if (removed === 1 || leftover.tries >= 60) this.leftovers.delete(taskId);
    }
  }

  /** Adds the task's job to `queueName` (a job id is added once: a second add is ignored). */
  private async ensureJob(info: RoutedTaskInfo, queueName: string): Promise<void> {
    if (info.state !== 'queued' && info.state !== 'running' && info.state !== 'blocked') return;
    await this.options.queues
      .get(queueName)
      .add(
        RUN_TASK_JOB,
        { taskId: info.taskId },
        taskJobOptions(info.taskId, info.priority, info.maxAttempts),
      );
  }

  private async updateWaitingReasons(
    workers: WorkerHeartbeat[],
    nowMs: number,
  ): Promise<{ waiting: number; cleared: number }> {
    const { redis, keys, routing, queues } = this.options;
    const live = workers.filter((w) => (w as { state?: unknown }).state !== 'dead');
    let waiting = 0;
    for (const [name, labels] of await readRequirementSets(redis, keys)) {
      if (live.some((worker) => workerCanTake(worker, labels))) continue;
      const jobs = await queues
        .get(name)
        .getJobs([...WAITING_STATES], 0, (this.options.waitingScanLimit ?? 200) - 1);
      const reason = noCapableWorkerReason(labels);
      for (const job of jobs)
        if (job?.data.taskId && (await routing.setWaitingReason(job.data.taskId, reason, nowMs)))
          waiting += 1;
    }
    let cleared = 0;
    const ids = await routing.waitingTaskIds();
    const infos = await routing.routingOf(ids);
    for (const [i, id] of ids.entries()) {
      const info = infos[i];
      const takeable = info !== undefined && live.some((worker) => workerCanTake(worker, info.requires));
      if (!info || info.state !== 'queued' || takeable)
        if (await routing.setWaitingReason(id, '', nowMs)) cleared += 1;
    }
    return { waiting, cleared };
  }
}
