export { findFreePort } from './free-port';
export { createBareRemote, createGitRepository, isolatedGitEnv } from './git-fixture';
export type { GitFixture, GitRepositoryOptions } from './git-fixture';
export { startRedis } from './redis-harness';
export type { RedisHarness } from './redis-harness';
export { startRedisCluster, startRedisSentinel } from './redis-topologies';
export type { RedisClusterHarness, RedisSentinelHarness, RedisTopologyOptions } from './redis-topologies';
export { startScriptedAnthropic } from './scripted-anthropic';
export type {
  ContentBlock,
  MessageParam,
  MessagesRequestBody,
  RecordedRequest,
  ScriptedAnthropic,
  ScriptedAnthropicOptions,
  ScriptedReply,
  ScriptedRequest,
  ScriptedResponder,
  ToolResult,
} from './scripted-anthropic';
export {
  agentWorkingDirectory,
  alwaysError,
  writeFileThenFinish,
  writeRelativeFileThenFinish,
} from './scripted-responders';
export { createTempDir } from './temp-dir';
export { createTlsFixture } from './tls-fixture';
export type { TlsFixture } from './tls-fixture';
export type { TempDir } from './temp-dir';
export { onceEvent, waitFor, withDeadline } from './wait-for';
export type { ProbeResult, WaitForOptions } from './wait-for';
export { isProcessAlive } from './process-alive';
export { CLAUDE_BIN, runClaude } from './run-claude';
export type { ClaudeRun } from './run-claude';
