// Original file: proto/claudine/v1/tasks.proto

import type { Long } from '@grpc/proto-loader';

export interface ListAuditRequest {
  /**
   * Entries at or after this time (epoch ms); 0: from the oldest kept.
   */
  sinceMs?: number | string | Long;
  /**
   * 1 to 1000; 0 takes 100. The newest `limit` entries are returned, newest first.
   */
  limit?: number;
  /**
   * Admin tokens only: one tenant's entries (empty: every tenant).
   */
  tenant?: string;
}

export interface ListAuditRequest__Output {
  /**
   * Entries at or after this time (epoch ms); 0: from the oldest kept.
   */
  sinceMs: number;
  /**
   * 1 to 1000; 0 takes 100. The newest `limit` entries are returned, newest first.
   */
  limit: number;
  /**
   * Admin tokens only: one tenant's entries (empty: every tenant).
   */
  tenant: string;
}
