// Original file: proto/claudine/v1/tasks.proto

export interface TaskError {
  /**
   * A stable code, for example AGENT_FAILED, TIMEOUT, REPOSITORY_NOT_FOUND.
   */
  code?: string;
  message?: string;
}

export interface TaskError__Output {
  /**
   * A stable code, for example AGENT_FAILED, TIMEOUT, REPOSITORY_NOT_FOUND.
   */
  code: string;
  message: string;
}
