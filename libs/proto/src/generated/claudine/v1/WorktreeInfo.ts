// Original file: proto/claudine/v1/tasks.proto

import type { Long } from '@grpc/proto-loader';

export interface WorktreeInfo {
  workerId?: string;
  taskId?: string;
  path?: string;
  repository?: string;
  branch?: string;
  sizeBytes?: number | string | Long;
  /**
   * When the worktree was last used: the newest mtime of its directory, its .git file, and its
   * HEAD and index in the repository (a task's final commit rewrites those).
   */
  modifiedAtMs?: number | string | Long;
  /**
   * A task running on the worker uses it: the collector never removes it.
   */
  inUse?: boolean;
}

export interface WorktreeInfo__Output {
  workerId: string;
  taskId: string;
  path: string;
  repository: string;
  branch: string;
  sizeBytes: number;
  /**
   * When the worktree was last used: the newest mtime of its directory, its .git file, and its
   * HEAD and index in the repository (a task's final commit rewrites those).
   */
  modifiedAtMs: number;
  /**
   * A task running on the worker uses it: the collector never removes it.
   */
  inUse: boolean;
}
