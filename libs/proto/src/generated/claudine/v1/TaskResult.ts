// Original file: proto/claudine/v1/tasks.proto

import type {
  TokenUsage as _claudine_v1_TokenUsage,
  TokenUsage__Output as _claudine_v1_TokenUsage__Output,
} from '../../claudine/v1/TokenUsage';
import type {
  MergeResult as _claudine_v1_MergeResult,
  MergeResult__Output as _claudine_v1_MergeResult__Output,
} from '../../claudine/v1/MergeResult';
import type { Long } from '@grpc/proto-loader';

export interface TaskResult {
  text?: string;
  sessionId?: string;
  costUsd?: number | string;
  usage?: _claudine_v1_TokenUsage | null;
  numTurns?: number;
  durationMs?: number | string | Long;
  branch?: string;
  commit?: string;
  changedFiles?: string[];
  merge?: _claudine_v1_MergeResult | null;
}

export interface TaskResult__Output {
  text: string;
  sessionId: string;
  costUsd: number;
  usage: _claudine_v1_TokenUsage__Output | null;
  numTurns: number;
  durationMs: number;
  branch: string;
  commit: string;
  changedFiles: string[];
  merge: _claudine_v1_MergeResult__Output | null;
}
