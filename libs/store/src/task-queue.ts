import { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { BULLMQ_PRIORITY, type Priority } from '@claudine/core';
import type { Keyspace } from './keyspace';

/** The BullMQ queue that carries tasks to workers. A job is only a pointer: `{ taskId }`. */
export const TASK_QUEUE_NAME = 'tasks';
export const RUN_TASK_JOB = 'run-task';

/** The first retry waits about this long; each next one twice as long. */
export const RETRY_BASE_DELAY_MS = 1_000;

export interface TaskJobData {
  taskId: string;
}

export type TaskQueue = Queue<TaskJobData, void, typeof RUN_TASK_JOB>;

/**
 * The queue of one worker alone, for tasks that must run where their predecessor's session
 * transcript lives (ResumeTask). Every worker takes from the shared queue and from its own.
 */
export function workerQueueName(workerId: string): string {
  return `${TASK_QUEUE_NAME}-worker-${workerId}`;
}

export function createTaskQueue(
  connection: Redis,
  keys: Keyspace,
  name: string = TASK_QUEUE_NAME,
): TaskQueue {
  return new Queue<TaskJobData, void, typeof RUN_TASK_JOB>(name, {
    connection,
    prefix: keys.bullPrefix,
  });
}

/** Job options for a task: the job id is the task id, so a duplicate add is a no-op. */
export function taskJobOptions(taskId: string, priority: Priority, maxAttempts: number) {
  return {
    jobId: taskId,
    priority: BULLMQ_PRIORITY[priority],
    // Only infrastructure failures make the processor throw; BullMQ then retries with backoff.
    attempts: maxAttempts,
    backoff: { type: 'exponential' as const, delay: RETRY_BASE_DELAY_MS, jitter: 0.25 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  };
}

export async function openQueueTransaction(queue: TaskQueue) {
  const client = await queue.getBackend().client;
  return client.multi();
}

/** Queues the add of a task's job on a transaction (nothing happens until exec). */
export async function addTaskJobToTransaction(
  queue: TaskQueue,
  transaction: Awaited<ReturnType<typeof openQueueTransaction>>,
  taskId: string,
  priority: Priority,
  maxAttempts: number,
): Promise<void> {
  const job = new Job<TaskJobData, void, typeof RUN_TASK_JOB>(
    queue,
    RUN_TASK_JOB,
    { taskId },
    taskJobOptions(taskId, priority, maxAttempts),
    taskId,
  );
  await job.addJob(transaction);
}
