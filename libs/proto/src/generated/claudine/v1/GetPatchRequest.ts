// Original file: proto/claudine/v1/tasks.proto

export interface GetPatchRequest {
  taskId?: string;
}

export interface GetPatchRequest__Output {
  taskId: string;
}
