// Original file: proto/claudine/v1/tasks.proto

import type {
  TaskSpec as _claudine_v1_TaskSpec,
  TaskSpec__Output as _claudine_v1_TaskSpec__Output,
} from '../../claudine/v1/TaskSpec';
import type {
  TaskState as _claudine_v1_TaskState,
  TaskState__Output as _claudine_v1_TaskState__Output,
} from '../../claudine/v1/TaskState';
import type {
  Attempt as _claudine_v1_Attempt,
  Attempt__Output as _claudine_v1_Attempt__Output,
} from '../../claudine/v1/Attempt';
import type {
  TaskResult as _claudine_v1_TaskResult,
  TaskResult__Output as _claudine_v1_TaskResult__Output,
} from '../../claudine/v1/TaskResult';
import type {
  TaskError as _claudine_v1_TaskError,
  TaskError__Output as _claudine_v1_TaskError__Output,
} from '../../claudine/v1/TaskError';
import type {
  DependencyEdge as _claudine_v1_DependencyEdge,
  DependencyEdge__Output as _claudine_v1_DependencyEdge__Output,
} from '../../claudine/v1/DependencyEdge';
import type { Long } from '@grpc/proto-loader';

export interface Task {
  id?: string;
  spec?: _claudine_v1_TaskSpec | null;
  state?: _claudine_v1_TaskState;
  createdAtMs?: number | string | Long;
  updatedAtMs?: number | string | Long;
  startedAtMs?: number | string | Long;
  endedAtMs?: number | string | Long;
  attempts?: _claudine_v1_Attempt[];
  result?: _claudine_v1_TaskResult | null;
  error?: _claudine_v1_TaskError | null;
  cancelReason?: string;
  /**
   * The task this one retries (Retry), or continues (Resume).
   */
  retryOf?: string;
  resumedFrom?: string;
  /**
   * Its dependencies, each with the state of its edge: pending | completed | failed | cancelled.
   */
  dependencies?: _claudine_v1_DependencyEdge[];
  /**
   * The tasks that depend on this one.
   */
  dependents?: string[];
  /**
   * Why a queued task is not running yet, when known, e.g. "no live worker has labels: gpu".
   */
  waitingReason?: string;
  /**
   * The tenant that owns it (the token's tenant at Delegate; `default` without tokens).
   */
  tenant?: string;
}

export interface Task__Output {
  id: string;
  spec: _claudine_v1_TaskSpec__Output | null;
  state: _claudine_v1_TaskState__Output;
  createdAtMs: number;
  updatedAtMs: number;
  startedAtMs: number;
  endedAtMs: number;
  attempts: _claudine_v1_Attempt__Output[];
  result: _claudine_v1_TaskResult__Output | null;
  error: _claudine_v1_TaskError__Output | null;
  cancelReason: string;
  /**
   * The task this one retries (Retry), or continues (Resume).
   */
  retryOf: string;
  resumedFrom: string;
  /**
   * Its dependencies, each with the state of its edge: pending | completed | failed | cancelled.
   */
  dependencies: _claudine_v1_DependencyEdge__Output[];
  /**
   * The tasks that depend on this one.
   */
  dependents: string[];
  /**
   * Why a queued task is not running yet, when known, e.g. "no live worker has labels: gpu".
   */
  waitingReason: string;
  /**
   * The tenant that owns it (the token's tenant at Delegate; `default` without tokens).
   */
  tenant: string;
}
