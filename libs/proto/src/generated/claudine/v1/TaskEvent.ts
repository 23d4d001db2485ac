// Original file: proto/claudine/v1/tasks.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One thing that happened to a task. `type` names the shape of `data_json`:
 * task.state       {state, reason?, workerId?, attempt?}
 * agent.init       {sessionId, model, cwd, tools, permissionMode, claudeCodeVersion}
 * agent.text       {text}
 * agent.thinking   {text}
 * agent.tool_use   {id, name, input}
 * agent.tool_result {toolUseId, content, isError}
 * agent.result     {isError, subtype, text, sessionId, numTurns, durationMs, costUsd, usage, apiErrorStatus?}
 * agent.retry      {attempt, maxRetries, delayMs, errorStatus}
 * agent.rate_limit {status, resetsAt}
 * agent.system     {subtype, raw}
 * agent.stderr     {line}
 * agent.unparsed   {line}  (a stdout line that was not stream-json)
 * worker.log       {message, ...}
 * log.truncated    {dropped}  (never stored: sent first when the log size cap dropped the
 * `dropped` events before it; its offset is the last dropped one)
 */
export interface TaskEvent {
  taskId?: string;
  offset?: number | string | Long;
  timeMs?: number | string | Long;
  type?: string;
  dataJson?: string;
}

/**
 * One thing that happened to a task. `type` names the shape of `data_json`:
 * task.state       {state, reason?, workerId?, attempt?}
 * agent.init       {sessionId, model, cwd, tools, permissionMode, claudeCodeVersion}
 * agent.text       {text}
 * agent.thinking   {text}
 * agent.tool_use   {id, name, input}
 * agent.tool_result {toolUseId, content, isError}
 * agent.result     {isError, subtype, text, sessionId, numTurns, durationMs, costUsd, usage, apiErrorStatus?}
 * agent.retry      {attempt, maxRetries, delayMs, errorStatus}
 * agent.rate_limit {status, resetsAt}
 * agent.system     {subtype, raw}
 * agent.stderr     {line}
 * agent.unparsed   {line}  (a stdout line that was not stream-json)
 * worker.log       {message, ...}
 * log.truncated    {dropped}  (never stored: sent first when the log size cap dropped the
 * `dropped` events before it; its offset is the last dropped one)
 */
export interface TaskEvent__Output {
  taskId: string;
  offset: number;
  timeMs: number;
  type: string;
  dataJson: string;
}
