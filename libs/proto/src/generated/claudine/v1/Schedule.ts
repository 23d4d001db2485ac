// Original file: proto/claudine/v1/tasks.proto

import type {
  ScheduleTaskRequest as _claudine_v1_ScheduleTaskRequest,
  ScheduleTaskRequest__Output as _claudine_v1_ScheduleTaskRequest__Output,
} from '../../claudine/v1/ScheduleTaskRequest';
import type {
  ScheduleRun as _claudine_v1_ScheduleRun,
  ScheduleRun__Output as _claudine_v1_ScheduleRun__Output,
} from '../../claudine/v1/ScheduleRun';
import type { Long } from '@grpc/proto-loader';

export interface Schedule {
  id?: string;
  spec?: _claudine_v1_ScheduleTaskRequest | null;
  /**
   * active | paused | cancelled | completed | expired
   */
  state?: string;
  stateReason?: string;
  createdAtMs?: number | string | Long;
  updatedAtMs?: number | string | Long;
  runCount?: number;
  lastFireAtMs?: number | string | Long;
  lastTaskId?: string;
  /**
   * The next fire times (a few), while active.
   */
  nextFireTimesMs?: (number | string | Long)[];
  history?: _claudine_v1_ScheduleRun[];
  /**
   * The tenant that owns it; its runs belong to the same tenant.
   */
  tenant?: string;
}

export interface Schedule__Output {
  id: string;
  spec: _claudine_v1_ScheduleTaskRequest__Output | null;
  /**
   * active | paused | cancelled | completed | expired
   */
  state: string;
  stateReason: string;
  createdAtMs: number;
  updatedAtMs: number;
  runCount: number;
  lastFireAtMs: number;
  lastTaskId: string;
  /**
   * The next fire times (a few), while active.
   */
  nextFireTimesMs: number[];
  history: _claudine_v1_ScheduleRun__Output[];
  /**
   * The tenant that owns it; its runs belong to the same tenant.
   */
  tenant: string;
}
