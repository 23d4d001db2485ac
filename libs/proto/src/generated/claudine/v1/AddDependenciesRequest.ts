// Original file: proto/claudine/v1/tasks.proto

export interface AddDependenciesRequest {
  taskId?: string;
  dependsOn?: string[];
}

export interface AddDependenciesRequest__Output {
  taskId: string;
  dependsOn: string[];
}
