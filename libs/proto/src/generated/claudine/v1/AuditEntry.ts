// Original file: proto/claudine/v1/tasks.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One mutating call: who, what, when, from where.
 */
export interface AuditEntry {
  /**
   * The stream entry id (time-sequence).
   */
  id?: string;
  timeMs?: number | string | Long;
  /**
   * The token's name and tenant (`anonymous` / `default` when no tokens are configured).
   */
  tokenName?: string;
  tenant?: string;
  /**
   * The gRPC method, e.g. TaskService/Cancel.
   */
  method?: string;
  /**
   * The task, schedule or worker the call was about; empty when it made something new and failed.
   */
  target?: string;
  /**
   * OK, or the error code (e.g. TASK_NOT_FOUND).
   */
  outcome?: string;
  /**
   * The caller's address as the server saw it.
   */
  peer?: string;
}

/**
 * One mutating call: who, what, when, from where.
 */
export interface AuditEntry__Output {
  /**
   * The stream entry id (time-sequence).
   */
  id: string;
  timeMs: number;
  /**
   * The token's name and tenant (`anonymous` / `default` when no tokens are configured).
   */
  tokenName: string;
  tenant: string;
  /**
   * The gRPC method, e.g. TaskService/Cancel.
   */
  method: string;
  /**
   * The task, schedule or worker the call was about; empty when it made something new and failed.
   */
  target: string;
  /**
   * OK, or the error code (e.g. TASK_NOT_FOUND).
   */
  outcome: string;
  /**
   * The caller's address as the server saw it.
   */
  peer: string;
}
