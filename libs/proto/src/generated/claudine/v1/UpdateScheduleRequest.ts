// Original file: proto/claudine/v1/tasks.proto

import type {
  ScheduleTaskRequest as _claudine_v1_ScheduleTaskRequest,
  ScheduleTaskRequest__Output as _claudine_v1_ScheduleTaskRequest__Output,
} from '../../claudine/v1/ScheduleTaskRequest';

export interface UpdateScheduleRequest {
  scheduleId?: string;
  spec?: _claudine_v1_ScheduleTaskRequest | null;
}

export interface UpdateScheduleRequest__Output {
  scheduleId: string;
  spec: _claudine_v1_ScheduleTaskRequest__Output | null;
}
