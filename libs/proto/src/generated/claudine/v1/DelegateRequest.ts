// Original file: proto/claudine/v1/tasks.proto

import type {
  TaskSpec as _claudine_v1_TaskSpec,
  TaskSpec__Output as _claudine_v1_TaskSpec__Output,
} from '../../claudine/v1/TaskSpec';

export interface DelegateRequest {
  spec?: _claudine_v1_TaskSpec | null;
}

export interface DelegateRequest__Output {
  spec: _claudine_v1_TaskSpec__Output | null;
}
