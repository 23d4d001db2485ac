// Original file: proto/claudine/v1/tasks.proto

export interface ResumeTaskRequest {
  taskId?: string;
  /**
   * What the agent should do now, or know; up to 100,000 characters.
   */
  additionalContext?: string;
}

export interface ResumeTaskRequest__Output {
  taskId: string;
  /**
   * What the agent should do now, or know; up to 100,000 characters.
   */
  additionalContext: string;
}
