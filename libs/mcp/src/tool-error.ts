import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AppError, errorMessage, type ErrorCode } from '@claudine/core';

/**
 * What the model should do about a failure, by code: the MCP boundary's one table. A failure
 * inside a tool is a result with `isError: true` (the model reads it and changes its call); only
 * protocol problems throw.
 */
function hintFor(code: ErrorCode): string | undefined {
  switch (code) {
    case 'INVALID_ARGUMENT':
      return 'Fix the field named above and call again; nothing was created.';
    case 'TASK_NOT_FOUND':
      return 'Check the task id: TaskStatus without taskId lists the latest tasks.';
    case 'SCHEDULE_NOT_FOUND':
      return 'Check the schedule id: ListSchedules lists them.';
    case 'WORKER_NOT_FOUND':
      return 'ListWorkers lists the workers.';
    case 'TASK_ALREADY_FINISHED':
      return 'The task has already ended: TaskStatus shows how; RetryTask or ResumeTask run it again.';
    case 'TASK_NOT_FINISHED':
      return 'The task has not ended yet: WaitForTask waits for it, CancelTask stops it.';
    case 'TASK_NOT_BLOCKED':
      return 'The task is not blocked on dependencies any more.';
    case 'SCHEDULE_STATE_INVALID':
      return 'GetSchedule shows its state; a cancelled, completed or expired schedule cannot change.';
    case 'OUT_OF_RANGE':
      return 'Use a smaller afterOffset (TaskLogs returns lastOffset), or leave it out.';
    case 'DEPENDENCY_CYCLE':
      return 'Remove the dependency that closes the cycle.';
    case 'POLICY_REFUSED':
    case 'PERMISSION_DENIED':
      return "The coordinator's policy or the token's rights refuse this: change the request, or ask the cluster's operator.";
    case 'UNAUTHENTICATED':
      return 'The Claudine MCP server needs a valid token (--token or CLAUDINE_TOKEN).';
    case 'UNAVAILABLE':
      return 'Nothing was done. Retry once the coordinator is up.';
    default:
      return undefined;
  }
}

/** A tool failure as the model sees it: the code, the message, and what to change. */
export function toolError(error: unknown, hint?: string): CallToolResult {
  const code: ErrorCode = error instanceof AppError ? error.code : 'INTERNAL';
  const parts = [`${code}: ${errorMessage(error)}`];
  const extra = hint ?? hintFor(code);
  if (extra) parts.push(extra);
  return { isError: true, content: [{ type: 'text', text: parts.join('\n') }] };
}
