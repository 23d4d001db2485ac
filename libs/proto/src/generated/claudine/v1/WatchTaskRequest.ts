// Original file: proto/claudine/v1/tasks.proto

import type { Long } from '@grpc/proto-loader';

export interface WatchTaskRequest {
  taskId?: string;
  /**
   * Events with an offset greater than this are sent; 0 sends every event kept.
   * Greater than the task's last offset: OUT_OF_RANGE.
   */
  fromOffset?: number | string | Long;
  /**
   * true: stay open and stream new events until the task's final state event.
   * false: send the events kept so far, then end.
   */
  follow?: boolean;
  /**
   * 0: every event (after from_offset). 1 to 10000: start with the task's last `tail` events.
   */
  tail?: number;
  /**
   * 0: no filter. Otherwise only events whose time_ms is at or after this (epoch ms).
   */
  sinceMs?: number | string | Long;
}

export interface WatchTaskRequest__Output {
  taskId: string;
  /**
   * Events with an offset greater than this are sent; 0 sends every event kept.
   * Greater than the task's last offset: OUT_OF_RANGE.
   */
  fromOffset: number;
  /**
   * true: stay open and stream new events until the task's final state event.
   * false: send the events kept so far, then end.
   */
  follow: boolean;
  /**
   * 0: every event (after from_offset). 1 to 10000: start with the task's last `tail` events.
   */
  tail: number;
  /**
   * 0: no filter. Otherwise only events whose time_ms is at or after this (epoch ms).
   */
  sinceMs: number;
}
