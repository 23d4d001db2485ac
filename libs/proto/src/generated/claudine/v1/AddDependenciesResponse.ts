// Original file: proto/claudine/v1/tasks.proto

import type {
  Task as _claudine_v1_Task,
  Task__Output as _claudine_v1_Task__Output,
} from '../../claudine/v1/Task';

export interface AddDependenciesResponse {
  task?: _claudine_v1_Task | null;
}

export interface AddDependenciesResponse__Output {
  task: _claudine_v1_Task__Output | null;
}
