// Original file: proto/claudine/v1/tasks.proto

import type {
  WorktreeCollection as _claudine_v1_WorktreeCollection,
  WorktreeCollection__Output as _claudine_v1_WorktreeCollection__Output,
} from '../../claudine/v1/WorktreeCollection';

export interface CollectWorktreesResponse {
  workers?: _claudine_v1_WorktreeCollection[];
}

export interface CollectWorktreesResponse__Output {
  workers: _claudine_v1_WorktreeCollection__Output[];
}
