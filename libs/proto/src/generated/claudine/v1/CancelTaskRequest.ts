// Original file: proto/claudine/v1/tasks.proto

export interface CancelTaskRequest {
  taskId?: string;
  reason?: string;
}

export interface CancelTaskRequest__Output {
  taskId: string;
  reason: string;
}
