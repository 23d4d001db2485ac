// Original file: proto/claudine/v1/tasks.proto

import type { Long } from '@grpc/proto-loader';

export interface WatchTaskRequest {
  taskId?: string;
  /**
   * Events with an offset greater than this are sent; 0 sends every event kept.
   */
  fromOffset?: number | string | Long;
  /**
   * true: stay open and stream new events until the task's final state event.
   * false: send the events kept so far, then end.
   */
  follow?: boolean;
}

export interface WatchTaskRequest__Output {
  taskId: string;
  /**
   * Events with an offset greater than this are sent; 0 sends every event kept.
   */
  fromOffset: number;
  /**
   * true: stay open and stream new events until the task's final state event.
   * false: send the events kept so far, then end.
   */
  follow: boolean;
}
