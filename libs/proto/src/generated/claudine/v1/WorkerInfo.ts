// Original file: proto/claudine/v1/tasks.proto

import type { Long } from '@grpc/proto-loader';

export interface WorkerInfo {
  id?: string;
  host?: string;
  pid?: number;
  capacity?: number;
  runningTaskIds?: string[];
  version?: string;
  startedAtMs?: number | string | Long;
  lastHeartbeatMs?: number | string | Long;
  /**
   * While the API rate-limits it, the worker takes no new tasks until this time; 0 otherwise.
   */
  pausedUntilMs?: number | string | Long;
  /**
   * The worker's labels (CLAUDINE_WORKER_LABELS), lower-case.
   */
  labels?: string[];
  /**
   * running | draining | paused (rate limited) | dead (its heartbeat lapsed).
   */
  state?: string;
  /**
   * The machine's 1-minute load average and its CPU count, at the last heartbeat.
   */
  load1?: number | string;
  cpus?: number;
  /**
   * Memory available for new processes (MemAvailable on Linux), in bytes.
   */
  freeMemoryBytes?: number | string | Long;
  /**
   * CLAUDINE_WORKER_CAPACITY; `capacity` is how many tasks it allows now (at least its running ones).
   */
  maxCapacity?: number;
  /**
   * A drain was requested (DrainWorker); it stays until undone or the worker leaves.
   */
  drainRequested?: boolean;
}

export interface WorkerInfo__Output {
  id: string;
  host: string;
  pid: number;
  capacity: number;
  runningTaskIds: string[];
  version: string;
  startedAtMs: number;
  lastHeartbeatMs: number;
  /**
   * While the API rate-limits it, the worker takes no new tasks until this time; 0 otherwise.
   */
  pausedUntilMs: number;
  /**
   * The worker's labels (CLAUDINE_WORKER_LABELS), lower-case.
   */
  labels: string[];
  /**
   * running | draining | paused (rate limited) | dead (its heartbeat lapsed).
   */
  state: string;
  /**
   * The machine's 1-minute load average and its CPU count, at the last heartbeat.
   */
  load1: number;
  cpus: number;
  /**
   * Memory available for new processes (MemAvailable on Linux), in bytes.
   */
  freeMemoryBytes: number;
  /**
   * CLAUDINE_WORKER_CAPACITY; `capacity` is how many tasks it allows now (at least its running ones).
   */
  maxCapacity: number;
  /**
   * A drain was requested (DrainWorker); it stays until undone or the worker leaves.
   */
  drainRequested: boolean;
}
