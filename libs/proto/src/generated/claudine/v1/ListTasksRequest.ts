// Original file: proto/claudine/v1/tasks.proto

import type {
  TaskState as _claudine_v1_TaskState,
  TaskState__Output as _claudine_v1_TaskState__Output,
} from '../../claudine/v1/TaskState';

export interface ListTasksRequest {
  /**
   * Empty: every state.
   */
  states?: _claudine_v1_TaskState[];
  /**
   * 1 to 500; 0 takes 50.
   */
  pageSize?: number;
  /**
   * From the previous response's next_page_token; empty for the first page.
   */
  pageToken?: string;
  /**
   * Admin tokens only: one tenant's tasks (empty: every tenant). Other tokens always see their own.
   */
  tenant?: string;
}

export interface ListTasksRequest__Output {
  /**
   * Empty: every state.
   */
  states: _claudine_v1_TaskState__Output[];
  /**
   * 1 to 500; 0 takes 50.
   */
  pageSize: number;
  /**
   * From the previous response's next_page_token; empty for the first page.
   */
  pageToken: string;
  /**
   * Admin tokens only: one tenant's tasks (empty: every tenant). Other tokens always see their own.
   */
  tenant: string;
}
