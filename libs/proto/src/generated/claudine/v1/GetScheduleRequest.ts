// Original file: proto/claudine/v1/tasks.proto

export interface GetScheduleRequest {
  scheduleId?: string;
}

export interface GetScheduleRequest__Output {
  scheduleId: string;
}
