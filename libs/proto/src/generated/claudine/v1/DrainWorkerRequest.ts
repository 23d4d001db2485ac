// Original file: proto/claudine/v1/tasks.proto

export interface DrainWorkerRequest {
  workerId?: string;
  /**
   * Take a drain back: the worker takes new tasks again.
   */
  undo?: boolean;
}

export interface DrainWorkerRequest__Output {
  workerId: string;
  /**
   * Take a drain back: the worker takes new tasks again.
   */
  undo: boolean;
}
