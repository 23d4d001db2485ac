// Original file: proto/claudine/v1/tasks.proto

export interface GetTaskRequest {
  taskId?: string;
}

export interface GetTaskRequest__Output {
  taskId: string;
}
