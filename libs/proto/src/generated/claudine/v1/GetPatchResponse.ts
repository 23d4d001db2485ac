// Original file: proto/claudine/v1/tasks.proto

export interface GetPatchResponse {
  taskId?: string;
  /**
   * The patch text (git format-patch --stdout), possibly empty when the task changed nothing.
   */
  patch?: Buffer | Uint8Array | string;
  /**
   * The commits the patch spans: base..head.
   */
  baseCommit?: string;
  headCommit?: string;
}

export interface GetPatchResponse__Output {
  taskId: string;
  /**
   * The patch text (git format-patch --stdout), possibly empty when the task changed nothing.
   */
  patch: Buffer;
  /**
   * The commits the patch spans: base..head.
   */
  baseCommit: string;
  headCommit: string;
}
