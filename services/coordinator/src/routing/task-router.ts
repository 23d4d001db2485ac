import { TaskIdSchema, type TaskSpec } from '@claudine/core';
import {
  chooseRoute,
  workerCanTake,
  type PreferredWorker,
  type RoutingStore,
  type TaskLinks,
  type TaskQueue,
  type TaskQueues,
  type TaskRoute,
  type WorkerRegistry,
} from '@claudine/store';

export interface TaskRouterOptions {
  registry: WorkerRegistry;
  routing: RoutingStore;
  queues: TaskQueues;
  /** How long a task waits in its preferred worker's queue before any capable worker may take it. */
  affinityWaitMs: number;
}

/**
 * The one place that decides which queue a task's job goes to (see task-routing.ts in
 * @claudine/store): Delegate, schedule fires, retries, resumes and dependency releases all come
 * through `route`.
 */
export class TaskRouter {
  constructor(private readonly options: TaskRouterOptions) {}

  async route(
    taskId: string,
    spec: Pick<TaskSpec, 'requires' | 'affinity'>,
    links: Pick<TaskLinks, 'resume'> = {},
    nowMs = Date.now(),
  ): Promise<{ queue: TaskQueue; route: TaskRoute }> {
    const preferred =
      links.resume === undefined && spec.affinity !== undefined
        ? await this.preferredWorker(spec.affinity, spec.requires, taskId)
        : undefined;
    const route = chooseRoute({
      spec,
      resumeWorkerId: links.resume?.workerId,
      preferred,
      nowMs,
      affinityWaitMs: this.options.affinityWaitMs,
    });
    return { queue: this.options.queues.get(route.queueName), route };
  }

  /** `router.release` as TaskGraph.release takes it. */
  readonly forRelease = (taskId: string, spec: Pick<TaskSpec, 'requires' | 'affinity'>) =>
    this.route(taskId, spec);

  /**
   * The worker an affinity names: for a task id, the worker of that task's last attempt; for a
   * key (or a task that never started), the worker that last started a task with that key.
   */
  async preferredWorker(
    affinity: string,
    requires: readonly string[],
    selfId?: string,
  ): Promise<PreferredWorker | undefined> {
    const { routing, registry } = this.options;
    const fromTask =
      affinity !== selfId && TaskIdSchema.safeParse(affinity).success
        ? await routing.lastAttemptWorker(affinity)
        : undefined;
    const id = fromTask ?? (await routing.affinityWorker(affinity));
    if (id === undefined) return undefined;
    const worker = (await registry.list()).find((candidate) => candidate.id === id);
    return { id, eligible: worker !== undefined && workerCanTake(worker, requires) };
  }
}
