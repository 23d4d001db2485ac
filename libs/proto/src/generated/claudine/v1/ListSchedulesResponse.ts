// Original file: proto/claudine/v1/tasks.proto

import type {
  Schedule as _claudine_v1_Schedule,
  Schedule__Output as _claudine_v1_Schedule__Output,
} from '../../claudine/v1/Schedule';

export interface ListSchedulesResponse {
  schedules?: _claudine_v1_Schedule[];
  nextPageToken?: string;
}

export interface ListSchedulesResponse__Output {
  schedules: _claudine_v1_Schedule__Output[];
  nextPageToken: string;
}
