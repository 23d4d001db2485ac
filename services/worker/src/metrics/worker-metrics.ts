import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { createMetricsRegistry, createRedisRttHistogram } from '@claudine/observability';

/**
 * Why an attempt ended, for `claudine_agent_exits_total`: one reason per attempt, whether or not
 * its agent got to run (`start_failed`: the agent could not start; a workspace or setup failure
 * counts as `failed`).
 */
export const AGENT_EXIT_REASONS = [
  'completed',
  'failed',
  'timeout',
  'cancelled',
  'budget',
  'rate_limited',
  'fenced',
  'shutdown',
  'start_failed',
] as const;
export type AgentExitReason = (typeof AGENT_EXIT_REASONS)[number];

/** The token kinds of `claudine_agent_tokens_total`. */
export type TokenKind = 'input' | 'output' | 'cache_creation' | 'cache_read';

export interface WorkerMetricSources {
  runningTasks?: () => number;
  capacity?: () => number;
  maxCapacity?: number;
}

export interface WorkerMetrics {
  finished: Counter<'state'>;
  fenced: Counter;
  taskDuration: Histogram<'state'>;
  queueWait: Histogram;
  costUsd: Counter<'model'>;
  tokens: Counter<'model' | 'kind'>;
  exits: Counter<'reason'>;
  retries: Counter;
  failovers: Counter;
  redisRtt: Histogram;
}

/** Seconds, from a second to a day: agents run for minutes to hours. */
const TASK_SECONDS_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 43200, 86400];

/** The metrics of a worker, on `registry`. Without sources the gauges export nothing. */
export function createWorkerMetrics(
  registry: Registry,
  { runningTasks, capacity, maxCapacity }: WorkerMetricSources = {},
): WorkerMetrics {
  const registers = [registry];
  new Gauge({
    name: 'claudine_worker_running_tasks',
    help: 'Tasks running on this worker now.',
    registers,
    collect() {
      if (runningTasks) this.set(runningTasks());
    },
  });
  new Gauge({
    name: 'claudine_worker_capacity',
    help: 'Tasks this worker allows at once now (its machine permitting), at most its maximum.',
    registers,
    collect() {
      if (capacity) this.set(capacity());
    },
  });
  const max = new Gauge({
    name: 'claudine_worker_max_capacity',
    help: 'Tasks this worker runs at once at most (CLAUDINE_WORKER_CAPACITY).',
    registers,
  });
  if (maxCapacity !== undefined) max.set(maxCapacity);
  return {
    finished: new Counter({
      name: 'claudine_worker_tasks_finished_total',
      help: 'Tasks this worker brought to a final state (completed, failed, cancelled). A retried or handed-back attempt is not counted.',
      labelNames: ['state'],
      registers,
    }),
    fenced: new Counter({
      name: 'claudine_worker_fenced_total',
      help: 'Attempts this worker lost to another (taken over, or cut off from Redis) and reported nothing for.',
      registers,
    }),
    taskDuration: new Histogram({
      name: 'claudine_task_duration_seconds',
      help: 'Duration of the attempt that brought a task to its final state (attempt start to end), by that state.',
      labelNames: ['state'],
      buckets: TASK_SECONDS_BUCKETS,
      registers,
    }),
    queueWait: new Histogram({
      name: 'claudine_task_queue_wait_seconds',
      help: 'How long a task waited for a worker: from when it was queued (created, released by its dependencies, or handed back for a retry) to its attempt start.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    }),
    costUsd: new Counter({
      name: 'claudine_agent_cost_usd_total',
      help: 'What the agents reported spending (their result line), in US dollars, by model ("unknown" when the agent named none).',
      labelNames: ['model'],
      registers,
    }),
    tokens: new Counter({
      name: 'claudine_agent_tokens_total',
      help: 'Tokens the agents reported using, by model and kind (input, output, cache_creation, cache_read).',
      labelNames: ['model', 'kind'],
      registers,
    }),
    exits: new Counter({
      name: 'claudine_agent_exits_total',
      help: `Attempts that ended on this worker, by reason (${AGENT_EXIT_REASONS.join(', ')}).`,
      labelNames: ['reason'],
      registers,
    }),
    retries: new Counter({
      name: 'claudine_task_retries_total',
      help: 'Attempts that failed for a retryable reason and went back to the queue for another attempt (with backoff).',
      registers,
    }),
    failovers: new Counter({
      name: 'claudine_task_failovers_total',
      help: 'Attempts this worker started by taking a running task over from a lost worker.',
      registers,
    }),
    redisRtt: createRedisRttHistogram(registry),
  };
}

/**
 * A registry with every metric a worker defines and nothing read: what the metrics reference in
 * docs/operations.md is generated from.
 */
export function describeWorkerMetrics(): Registry {
  const registry = createMetricsRegistry({ service: 'worker', worker_id: 'w' });
  createWorkerMetrics(registry);
  return registry;
}
