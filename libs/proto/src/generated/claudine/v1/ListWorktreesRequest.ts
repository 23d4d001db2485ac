// Original file: proto/claudine/v1/tasks.proto

export interface ListWorktreesRequest {
  /**
   * Only this worker's; empty for every live worker.
   */
  workerId?: string;
}

export interface ListWorktreesRequest__Output {
  /**
   * Only this worker's; empty for every live worker.
   */
  workerId: string;
}
