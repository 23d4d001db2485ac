// Original file: proto/claudine/v1/tasks.proto

import type { Long } from '@grpc/proto-loader';

export interface TokenUsage {
  inputTokens?: number | string | Long;
  outputTokens?: number | string | Long;
  cacheCreationInputTokens?: number | string | Long;
  cacheReadInputTokens?: number | string | Long;
}

export interface TokenUsage__Output {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
}
