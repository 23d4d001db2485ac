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
}
