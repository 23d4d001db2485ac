// Original file: proto/claudine/v1/tasks.proto

export const ResumeMode = {
  RESUME_MODE_UNSPECIFIED: 'RESUME_MODE_UNSPECIFIED',
  /**
   * The same Claude session (claude --resume), in the same worktree, on the same worker.
   */
  RESUME_MODE_SAME_SESSION: 'RESUME_MODE_SAME_SESSION',
  /**
   * A new session whose prompt carries the previous attempt's context.
   */
  RESUME_MODE_NEW_SESSION: 'RESUME_MODE_NEW_SESSION',
} as const;

export type ResumeMode =
  | 'RESUME_MODE_UNSPECIFIED'
  | 0
  /**
   * The same Claude session (claude --resume), in the same worktree, on the same worker.
   */
  | 'RESUME_MODE_SAME_SESSION'
  | 1
  /**
   * A new session whose prompt carries the previous attempt's context.
   */
  | 'RESUME_MODE_NEW_SESSION'
  | 2;

export type ResumeMode__Output = (typeof ResumeMode)[keyof typeof ResumeMode];
