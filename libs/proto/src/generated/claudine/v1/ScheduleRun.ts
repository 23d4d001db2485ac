// Original file: proto/claudine/v1/tasks.proto

import type { Long } from '@grpc/proto-loader';

export interface ScheduleRun {
  fireTimeMs?: number | string | Long;
  queuedAtMs?: number | string | Long;
  taskId?: string;
  /**
   * queued | skipped | missed | caught_up
   */
  outcome?: string;
  reason?: string;
}

export interface ScheduleRun__Output {
  fireTimeMs: number;
  queuedAtMs: number;
  taskId: string;
  /**
   * queued | skipped | missed | caught_up
   */
  outcome: string;
  reason: string;
}
