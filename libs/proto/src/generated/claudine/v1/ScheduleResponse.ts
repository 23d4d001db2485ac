// Original file: proto/claudine/v1/tasks.proto

import type {
  Schedule as _claudine_v1_Schedule,
  Schedule__Output as _claudine_v1_Schedule__Output,
} from '../../claudine/v1/Schedule';

export interface ScheduleResponse {
  schedule?: _claudine_v1_Schedule | null;
}

export interface ScheduleResponse__Output {
  schedule: _claudine_v1_Schedule__Output | null;
}
