// Original file: proto/claudine/v1/tasks.proto

export interface ListSchedulesRequest {
  states?: string[];
  pageSize?: number;
  pageToken?: string;
  /**
   * Admin tokens only: one tenant's schedules (empty: every tenant).
   */
  tenant?: string;
}

export interface ListSchedulesRequest__Output {
  states: string[];
  pageSize: number;
  pageToken: string;
  /**
   * Admin tokens only: one tenant's schedules (empty: every tenant).
   */
  tenant: string;
}
