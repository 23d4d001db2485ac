// Original file: proto/claudine/v1/tasks.proto

import type {
  WorkerInfo as _claudine_v1_WorkerInfo,
  WorkerInfo__Output as _claudine_v1_WorkerInfo__Output,
} from '../../claudine/v1/WorkerInfo';

export interface ListWorkersResponse {
  workers?: _claudine_v1_WorkerInfo[];
}

export interface ListWorkersResponse__Output {
  workers: _claudine_v1_WorkerInfo__Output[];
}
