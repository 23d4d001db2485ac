import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { PRIORITIES, TASK_STATES, type Priority, type TaskState } from '@claudine/core';
import type { ListedWorkerState } from '@claudine/store';
import { createMetricsRegistry, createRedisRttHistogram } from '@claudine/observability';

/** What the cluster gauges read from Redis at each scrape (cluster-readings.ts). */
export interface ClusterReadings {
  tasksByState(): Promise<Record<TaskState, number>>;
  /** Jobs waiting in the task queues, by task priority. */
  queueDepthByPriority(): Promise<Record<Priority, number>>;
  workersByState(): Promise<Record<ListedWorkerState, number>>;
}

export interface CoordinatorMetricSources {
  /** Absent: the cluster gauges export nothing (the metrics reference builds them so). */
  cluster?: ClusterReadings;
  leaseHeld?: () => boolean;
  /** Logs a scrape whose Redis readings failed (the gauges keep their last values). */
  onCollectError?: (error: unknown) => void;
}

/** How a Delegate call ended, for `claudine_delegations_total`. */
export type DelegationOutcome = 'accepted' | 'invalid' | 'refused' | 'error';

export interface CoordinatorMetrics {
  delegations: Counter<'outcome'>;
  rerouted: Counter;
  scheduleFireLateness: Histogram;
  redisRtt: Histogram;
}

const LISTED_WORKER_STATES: readonly ListedWorkerState[] = ['running', 'draining', 'paused', 'dead'];

/**
 * The metrics of a coordinator, beyond the gRPC and MCP ones (grpc-metrics.ts), on `registry`.
 * The cluster gauges describe the whole cluster: every coordinator exports the same values.
 */
export function createCoordinatorMetrics(
  registry: Registry,
  { cluster, leaseHeld, onCollectError }: CoordinatorMetricSources = {},
): CoordinatorMetrics {
  // One Redis reading per scrape for the two gauges that share it.
  const tasksByState = cluster ? shared(() => cluster.tasksByState()) : undefined;
  const report = (error: unknown): void => onCollectError?.(error);

  new Gauge({
    name: 'claudine_tasks',
    help: 'Tasks in the cluster by state (the Redis state indexes, read at each scrape; finished ones until retention removes them).',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      if (!tasksByState) return;
      try {
        const counts = await tasksByState();
        for (const state of TASK_STATES) this.set({ state }, counts[state]);
      } catch (error) {
        report(error);
      }
    },
  });
  new Gauge({
    name: 'claudine_tasks_blocked',
    help: 'Tasks waiting for their dependencies (the same as claudine_tasks{state="blocked"}).',
    registers: [registry],
    async collect() {
      if (!tasksByState) return;
      try {
        this.set((await tasksByState()).blocked);
      } catch (error) {
        report(error);
      }
    },
  });
  new Gauge({
    name: 'claudine_queue_depth',
    help: "Jobs waiting for a worker in the shared queue and the requirement queues (not the workers' own), by task priority.",
    labelNames: ['priority'],
    registers: [registry],
    async collect() {
      if (!cluster) return;
      try {
        const depth = await cluster.queueDepthByPriority();
        for (const priority of PRIORITIES) this.set({ priority }, depth[priority]);
      } catch (error) {
        report(error);
      }
    },
  });
  new Gauge({
    name: 'claudine_workers',
    help: 'Workers in the registry by state; dead: its heartbeat lapsed (listed for a while after).',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      if (!cluster) return;
      try {
        const workers = await cluster.workersByState();
        for (const state of LISTED_WORKER_STATES) this.set({ state }, workers[state]);
      } catch (error) {
        report(error);
      }
    },
  });
  new Gauge({
    name: 'claudine_coordinator_lease_held',
    help: '1 while this coordinator holds the coordinator lease (and runs the once-only duties), else 0.',
    registers: [registry],
    collect() {
      if (leaseHeld) this.set(leaseHeld() ? 1 : 0);
    },
  });
  return {
    delegations: new Counter({
      name: 'claudine_delegations_total',
      help: 'Delegate calls by outcome: accepted, invalid (the spec or its repository refused), refused (authentication, permission, quota) or error.',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    rerouted: new Counter({
      name: 'claudine_coordinator_tasks_rerouted_total',
      help: 'Tasks moved off a preferred worker (affinity wait over, or the worker dead or draining) to their fallback queue.',
      registers: [registry],
    }),
    scheduleFireLateness: new Histogram({
      name: 'claudine_schedule_fire_lateness_seconds',
      help: 'How late a schedule fire was handled after its fire time (on the coordinator that handled it).',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    redisRtt: createRedisRttHistogram(registry),
  };
}

/**
 * Calls `read` once for the calls made while it is under way: a scrape collects every gauge at
 * once, so the gauges of one scrape share one reading, and the next scrape reads afresh.
 */
function shared<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    if (!inFlight) {
      const reading = read().finally(() => {
        if (inFlight === reading) inFlight = undefined;
      });
      inFlight = reading;
    }
    return inFlight;
  };
}

export interface GrpcMetrics {
  requests: Counter<'method' | 'code'>;
  latency: Histogram<'method'>;
}

/** The gRPC API's metrics (grpc-server.ts records them). */
export function createGrpcMetrics(registry: Registry): GrpcMetrics {
  return {
    requests: new Counter({
      name: 'claudine_grpc_requests_total',
      help: 'gRPC requests handled, by method and status code (unary calls and Watch).',
      labelNames: ['method', 'code'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'claudine_grpc_request_duration_seconds',
      help: 'gRPC unary request latency, by method.',
      labelNames: ['method'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}

/** The MCP HTTP endpoint's metrics (mcp-http-server.ts); `inFlight` reads the requests open now. */
export function createMcpHttpMetrics(registry: Registry, inFlight: () => number): Counter<'status'> {
  new Gauge({
    name: 'claudine_mcp_http_requests_in_flight',
    help: 'MCP requests being served now (a WaitForTask holds its request open while it waits). With CLAUDINE_MCP_PORT only.',
    registers: [registry],
    collect() {
      this.set(inFlight());
    },
  });
  return new Counter({
    name: 'claudine_mcp_http_requests_total',
    help: 'Requests to /mcp (and elsewhere on the MCP port), by HTTP status, counted when their response closes. With CLAUDINE_MCP_PORT only.',
    labelNames: ['status'],
    registers: [registry],
  });
}

/**
 * A registry with every metric a coordinator defines and nothing read (no Redis): what the
 * metrics reference in docs/operations.md is generated from.
 */
export function describeCoordinatorMetrics(): Registry {
  const registry = createMetricsRegistry({ service: 'coordinator' });
  createCoordinatorMetrics(registry);
  createGrpcMetrics(registry);
  createMcpHttpMetrics(registry, () => 0);
  return registry;
}
