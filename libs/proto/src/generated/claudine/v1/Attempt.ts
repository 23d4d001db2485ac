// Original file: proto/claudine/v1/tasks.proto

import type { Long } from '@grpc/proto-loader';

export interface Attempt {
  number?: number;
  workerId?: string;
  startedAtMs?: number | string | Long;
  endedAtMs?: number | string | Long;
  exitCode?: number;
  sessionId?: string;
  /**
   * completed | failed | cancelled, or empty while running.
   */
  outcome?: string;
  error?: string;
  /**
   * When the agent process started; 0 when it never did.
   */
  agentStartedAtMs?: number | string | Long;
  _exitCode?: 'exitCode';
}

export interface Attempt__Output {
  number: number;
  workerId: string;
  startedAtMs: number;
  endedAtMs: number;
  exitCode?: number;
  sessionId: string;
  /**
   * completed | failed | cancelled, or empty while running.
   */
  outcome: string;
  error: string;
  /**
   * When the agent process started; 0 when it never did.
   */
  agentStartedAtMs: number;
  _exitCode?: 'exitCode';
}
