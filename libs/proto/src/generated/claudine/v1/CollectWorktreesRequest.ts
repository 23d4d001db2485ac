// Original file: proto/claudine/v1/tasks.proto

import type { Long } from '@grpc/proto-loader';

export interface CollectWorktreesRequest {
  /**
   * Only this worker; empty for every live worker.
   */
  workerId?: string;
  /**
   * Limits for this run; 0 takes each worker's configured limit.
   */
  maxAgeMs?: number | string | Long;
  maxCount?: number;
  maxTotalBytes?: number | string | Long;
  /**
   * Report what would be removed, remove nothing.
   */
  dryRun?: boolean;
}

export interface CollectWorktreesRequest__Output {
  /**
   * Only this worker; empty for every live worker.
   */
  workerId: string;
  /**
   * Limits for this run; 0 takes each worker's configured limit.
   */
  maxAgeMs: number;
  maxCount: number;
  maxTotalBytes: number;
  /**
   * Report what would be removed, remove nothing.
   */
  dryRun: boolean;
}
