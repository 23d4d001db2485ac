// Original file: proto/claudine/v1/tasks.proto

export interface DependencyEdge {
  taskId?: string;
  state?: string;
}

export interface DependencyEdge__Output {
  taskId: string;
  state: string;
}
