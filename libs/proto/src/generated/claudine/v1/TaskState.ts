// Original file: proto/claudine/v1/tasks.proto

export const TaskState = {
  TASK_STATE_UNSPECIFIED: 'TASK_STATE_UNSPECIFIED',
  TASK_STATE_QUEUED: 'TASK_STATE_QUEUED',
  TASK_STATE_RUNNING: 'TASK_STATE_RUNNING',
  TASK_STATE_COMPLETED: 'TASK_STATE_COMPLETED',
  TASK_STATE_FAILED: 'TASK_STATE_FAILED',
  TASK_STATE_CANCELLED: 'TASK_STATE_CANCELLED',
  /**
   * Waiting for its dependencies; then queued.
   */
  TASK_STATE_BLOCKED: 'TASK_STATE_BLOCKED',
} as const;

export type TaskState =
  | 'TASK_STATE_UNSPECIFIED'
  | 0
  | 'TASK_STATE_QUEUED'
  | 1
  | 'TASK_STATE_RUNNING'
  | 2
  | 'TASK_STATE_COMPLETED'
  | 3
  | 'TASK_STATE_FAILED'
  | 4
  | 'TASK_STATE_CANCELLED'
  | 5
  /**
   * Waiting for its dependencies; then queued.
   */
  | 'TASK_STATE_BLOCKED'
  | 6;

export type TaskState__Output = (typeof TaskState)[keyof typeof TaskState];
