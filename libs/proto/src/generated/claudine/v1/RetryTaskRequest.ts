// Original file: proto/claudine/v1/tasks.proto

export interface RetryTaskRequest {
  taskId?: string;
}

export interface RetryTaskRequest__Output {
  taskId: string;
}
