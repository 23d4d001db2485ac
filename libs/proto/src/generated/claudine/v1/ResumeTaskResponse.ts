// Original file: proto/claudine/v1/tasks.proto

import type {
  Task as _claudine_v1_Task,
  Task__Output as _claudine_v1_Task__Output,
} from '../../claudine/v1/Task';
import type {
  ResumeMode as _claudine_v1_ResumeMode,
  ResumeMode__Output as _claudine_v1_ResumeMode__Output,
} from '../../claudine/v1/ResumeMode';

export interface ResumeTaskResponse {
  task?: _claudine_v1_Task | null;
  mode?: _claudine_v1_ResumeMode;
  /**
   * Why this mode: for example, the worker holding the transcript is not alive.
   */
  explanation?: string;
}

export interface ResumeTaskResponse__Output {
  task: _claudine_v1_Task__Output | null;
  mode: _claudine_v1_ResumeMode__Output;
  /**
   * Why this mode: for example, the worker holding the transcript is not alive.
   */
  explanation: string;
}
