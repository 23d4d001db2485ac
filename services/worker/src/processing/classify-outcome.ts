import { formatDuration, type TaskError } from '@claudine/core';
import type { AgentRunOutcome } from '../execution/agent-executor';

/**
 * How a run ended. A failure is `retryable` when the infrastructure failed rather than the
 * task: the agent could not start, or the API was overloaded or rate limited. A failure of the
 * task itself (the agent's own error, the timeout, max turns, the budget) is final.
 */
export type ClassifiedOutcome =
  { state: 'completed' } | { state: 'failed'; error: TaskError; retryable: boolean } | { state: 'cancelled' };

/** API statuses that say "try again later", not "this request is wrong". */
const RETRYABLE_API_STATUS = new Set([429, 500, 502, 503, 504, 529]);

function withStderr(message: string, stderrTail: string): string {
  return stderrTail ? `${message}; stderr: ${stderrTail.split('\n').slice(-5).join(' | ')}` : message;
}

const failed = (code: TaskError['code'], message: string, retryable = false): ClassifiedOutcome => ({
  state: 'failed',
  error: { code, message },
  retryable,
});

/**
 * Decides how an agent run ended. Success needs both a `result` line without `is_error` and a
 * zero exit code: Claude Code reports API and login failures as `subtype: success` with
 * `is_error: true`, and a run that dies mid-way writes no result line at all.
 */
export function classifyOutcome(outcome: AgentRunOutcome, timeoutMs: number): ClassifiedOutcome {
  switch (outcome.stoppedFor) {
    case 'cancelled':
      return { state: 'cancelled' };
    case 'timeout':
      return failed(
        'TIMEOUT',
        `the agent did not finish within ${formatDuration(timeoutMs)} and was stopped`,
      );
    case 'shutdown':
      return failed('WORKER_LOST', 'the worker shut down while the agent ran', true);
    case 'fenced':
      // Never reported (the runner drops a fenced run's outcome); named for completeness.
      return failed('WORKER_LOST', 'worker lost: another attempt took the task over', false);
    case undefined:
      break;
  }
  if (outcome.spawnError) {
    return failed('AGENT_START_FAILED', `the agent could not start: ${outcome.spawnError.message}`, true);
  }
  const exit =
    outcome.exitCode === null ? `signal ${outcome.signal ?? 'unknown'}` : `exit code ${outcome.exitCode}`;
  const result = outcome.result;
  if (!result) {
    return failed(
      'AGENT_NO_RESULT',
      withStderr(`the agent ended (${exit}) without reporting a result`, outcome.stderrTail),
    );
  }
  if (result.subtype === 'error_max_budget_usd') {
    return failed('BUDGET_EXCEEDED', `the agent went over its budget ($${result.costUsd.toFixed(4)} spent)`);
  }
  if (result.subtype === 'error_max_turns') {
    return failed('MAX_TURNS', `the agent reached its maximum number of turns (${result.numTurns})`);
  }
  if (result.isError) {
    const status = result.apiErrorStatus;
    const text = result.text || result.subtype || 'no detail';
    const retryable = (status !== undefined && RETRYABLE_API_STATUS.has(status)) || /overloaded/i.test(text);
    return failed(
      'AGENT_FAILED',
      `the agent reported an error${status ? ` (API status ${status})` : ''}: ${text}`,
      retryable,
    );
  }
  if (outcome.exitCode !== 0) {
    return failed(
      'AGENT_FAILED',
      withStderr(`the agent reported success but ended with ${exit}`, outcome.stderrTail),
    );
  }
  return { state: 'completed' };
}
