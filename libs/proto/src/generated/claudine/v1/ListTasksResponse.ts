// Original file: proto/claudine/v1/tasks.proto

import type {
  Task as _claudine_v1_Task,
  Task__Output as _claudine_v1_Task__Output,
} from '../../claudine/v1/Task';

export interface ListTasksResponse {
  tasks?: _claudine_v1_Task[];
  /**
   * Empty on the last page.
   */
  nextPageToken?: string;
}

export interface ListTasksResponse__Output {
  tasks: _claudine_v1_Task__Output[];
  /**
   * Empty on the last page.
   */
  nextPageToken: string;
}
