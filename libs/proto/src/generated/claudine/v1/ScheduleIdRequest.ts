// Original file: proto/claudine/v1/tasks.proto

export interface ScheduleIdRequest {
  scheduleId?: string;
}

export interface ScheduleIdRequest__Output {
  scheduleId: string;
}
