import type { Redis } from 'ioredis';
import { BULLMQ_PRIORITY, PRIORITIES, TASK_STATES, type Priority, type TaskState } from '@claudine/core';
import {
  readRequirementSets,
  TASK_QUEUE_NAME,
  type Keyspace,
  type ListedWorkerState,
  type TaskQueues,
  type WorkerRegistry,
} from '@claudine/store';
import type { ClusterReadings } from './coordinator-metrics';

export interface RedisClusterReadingsOptions {
  redis: Redis;
  keys: Keyspace;
  queues: TaskQueues;
  registry: WorkerRegistry;
}

/**
 * The cluster gauges' readings, with cheap commands only: a ZCARD per state index, the
 * registry's listing, and BullMQ's count of waiting jobs per priority in the shared queue and
 * in each requirement set's queue.
 */
export class RedisClusterReadings implements ClusterReadings {
  constructor(private readonly options: RedisClusterReadingsOptions) {}

  async tasksByState(): Promise<Record<TaskState, number>> {
    const { redis, keys } = this.options;
    const pipeline = redis.pipeline();
    for (const state of TASK_STATES) pipeline.zcard(keys.tasksInState(state));
    const replies = (await pipeline.exec()) ?? [];
    const counts = {} as Record<TaskState, number>;
    TASK_STATES.forEach((state, index) => {
      const [error, count] = replies[index] ?? [new Error('no reply')];
      if (error) throw error;
      counts[state] = Number(count);
    });
    return counts;
  }

  async queueDepthByPriority(): Promise<Record<Priority, number>> {
    const { redis, keys, queues } = this.options;
    // Not the workers' own queues (resumed sessions, affinity): their tasks wait for one worker,
    // and a queue object per worker id ever seen would grow without bound.
    const names = [TASK_QUEUE_NAME, ...(await readRequirementSets(redis, keys)).keys()];
    const bullPriorities = PRIORITIES.map((priority) => BULLMQ_PRIORITY[priority]);
    const perQueue = await Promise.all(
      names.map((name) => queues.get(name).getCountsPerPriority(bullPriorities)),
    );
    const depth = Object.fromEntries(PRIORITIES.map((priority) => [priority, 0])) as Record<Priority, number>;
    for (const counts of perQueue)
      for (const priority of PRIORITIES) depth[priority] += counts[String(BULLMQ_PRIORITY[priority])] ?? 0;
    return depth;
  }

  async workersByState(): Promise<Record<ListedWorkerState, number>> {
    const counts: Record<ListedWorkerState, number> = { running: 0, draining: 0, paused: 0, dead: 0 };
    for (const worker of await this.options.registry.listIncludingDead()) counts[worker.state]++;
    return counts;
  }
}
