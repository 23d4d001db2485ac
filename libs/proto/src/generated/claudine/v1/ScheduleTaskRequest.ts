// Original file: proto/claudine/v1/tasks.proto

import type {
  TaskSpec as _claudine_v1_TaskSpec,
  TaskSpec__Output as _claudine_v1_TaskSpec__Output,
} from '../../claudine/v1/TaskSpec';
import type { Long } from '@grpc/proto-loader';

export interface ScheduleTaskRequest {
  /**
   * Everything Delegate accepts.
   */
  template?: _claudine_v1_TaskSpec | null;
  /**
   * A standard 5-field cron expression (6 with leading seconds), in time_zone.
   */
  cron?: string;
  /**
   * An IANA time zone; default UTC.
   */
  timeZone?: string;
  /**
   * A fixed interval instead of cron (at least 1000 ms).
   */
  everyMs?: number | string | Long;
  /**
   * One time: an ISO 8601 instant in the future.
   */
  oneTime?: string;
  maxRuns?: number;
  /**
   * ISO 8601; no run after it.
   */
  expiresAt?: string;
  /**
   * skip (default) | catchup | fail
   */
  missedRunPolicy?: string;
  /**
   * How many missed runs catchup queues at most (default 10).
   */
  catchupLimit?: number;
  /**
   * When the previous run is still active: skip (default) | queue | allow
   */
  concurrency?: string;
  /**
   * Each run waits for the current run of this schedule.
   */
  afterSchedule?: string;
  _maxRuns?: 'maxRuns';
}

export interface ScheduleTaskRequest__Output {
  /**
   * Everything Delegate accepts.
   */
  template: _claudine_v1_TaskSpec__Output | null;
  /**
   * A standard 5-field cron expression (6 with leading seconds), in time_zone.
   */
  cron: string;
  /**
   * An IANA time zone; default UTC.
   */
  timeZone: string;
  /**
   * A fixed interval instead of cron (at least 1000 ms).
   */
  everyMs: number;
  /**
   * One time: an ISO 8601 instant in the future.
   */
  oneTime: string;
  maxRuns?: number;
  /**
   * ISO 8601; no run after it.
   */
  expiresAt: string;
  /**
   * skip (default) | catchup | fail
   */
  missedRunPolicy: string;
  /**
   * How many missed runs catchup queues at most (default 10).
   */
  catchupLimit: number;
  /**
   * When the previous run is still active: skip (default) | queue | allow
   */
  concurrency: string;
  /**
   * Each run waits for the current run of this schedule.
   */
  afterSchedule: string;
  _maxRuns?: 'maxRuns';
}
