// Original file: proto/claudine/v1/tasks.proto

import type {
  WorktreeInfo as _claudine_v1_WorktreeInfo,
  WorktreeInfo__Output as _claudine_v1_WorktreeInfo__Output,
} from '../../claudine/v1/WorktreeInfo';
import type { Long } from '@grpc/proto-loader';

export interface WorktreeCollection {
  workerId?: string;
  removed?: _claudine_v1_WorktreeInfo[];
  kept?: number;
  freedBytes?: number | string | Long;
  /**
   * Set when the worker could not collect (or did not answer in time).
   */
  error?: string;
}

export interface WorktreeCollection__Output {
  workerId: string;
  removed: _claudine_v1_WorktreeInfo__Output[];
  kept: number;
  freedBytes: number;
  /**
   * Set when the worker could not collect (or did not answer in time).
   */
  error: string;
}
