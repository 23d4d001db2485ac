import { hasLabels, normalizeLabels } from '@claudine/core';
import { TASK_QUEUE_NAME, workerQueueName } from '@claudine/store';

export interface QueueSelectionInput {
  workerId: string;
  /** The worker's labels (normalized or not). */
  labels: readonly string[];
  /** Every requirement set in use: requirement queue name → the labels it needs. */
  requirementSets: ReadonlyMap<string, readonly string[]>;
}

/**
 * The queues a worker takes tasks from: the shared queue, its own queue, and the queue of every
 * requirement set whose labels it all has. Sorted after the first two, so an unchanged answer
 * compares equal.
 */
export function selectQueues({ workerId, labels, requirementSets }: QueueSelectionInput): string[] {
  const have = normalizeLabels(labels);
  const served = [...requirementSets]
    .filter(([, required]) => hasLabels(have, normalizeLabels(required)))
    .map(([name]) => name)
    .sort();
  return [TASK_QUEUE_NAME, workerQueueName(workerId), ...served];
}
