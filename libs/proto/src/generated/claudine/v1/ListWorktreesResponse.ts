// Original file: proto/claudine/v1/tasks.proto

import type {
  WorktreeInfo as _claudine_v1_WorktreeInfo,
  WorktreeInfo__Output as _claudine_v1_WorktreeInfo__Output,
} from '../../claudine/v1/WorktreeInfo';

export interface ListWorktreesResponse {
  worktrees?: _claudine_v1_WorktreeInfo[];
  /**
   * Live workers that did not report an inventory yet.
   */
  workersWithoutInventory?: string[];
}

export interface ListWorktreesResponse__Output {
  worktrees: _claudine_v1_WorktreeInfo__Output[];
  /**
   * Live workers that did not report an inventory yet.
   */
  workersWithoutInventory: string[];
}
