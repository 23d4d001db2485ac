// Original file: proto/claudine/v1/tasks.proto

import type {
  WorkerInfo as _claudine_v1_WorkerInfo,
  WorkerInfo__Output as _claudine_v1_WorkerInfo__Output,
} from '../../claudine/v1/WorkerInfo';

export interface DrainWorkerResponse {
  /**
   * The worker as the registry lists it after the request (its state changes at its next
   * heartbeat, or at once when it got the message).
   */
  worker?: _claudine_v1_WorkerInfo | null;
}

export interface DrainWorkerResponse__Output {
  /**
   * The worker as the registry lists it after the request (its state changes at its next
   * heartbeat, or at once when it got the message).
   */
  worker: _claudine_v1_WorkerInfo__Output | null;
}
