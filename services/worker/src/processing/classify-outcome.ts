import { formatDuration, type TaskError } from '@claudine/core';
import type { AgentRunOutcome } from '../execution/agent-executor';

export type ClassifiedOutcome =
  { state: 'completed' } | { state: 'failed'; error: TaskError } | { state: 'cancelled' };

function withStderr(message: string, stderrTail: string): string {
  return stderrTail ? `${message}; stderr: ${stderrTail.split('\n').slice(-5).join(' | ')}` : message;
}

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
      return {
        state: 'failed',
        error: {
          code: 'TIMEOUT',
          message: `the agent did not finish within ${formatDuration(timeoutMs)} and was stopped`,
        },
      };
    case 'shutdown':
      return {
        state: 'failed',
        error: { code: 'AGENT_FAILED', message: 'the worker shut down while the agent ran' },
      };
    case undefined:
      break;
  }
  if (outcome.spawnError) {
    return {
      state: 'failed',
      error: {
        code: 'AGENT_START_FAILED',
        message: `the agent could not start: ${outcome.spawnError.message}`,
      },
    };
  }
  const exit =
    outcome.exitCode === null ? `signal ${outcome.signal ?? 'unknown'}` : `exit code ${outcome.exitCode}`;
  if (!outcome.result) {
    return {
      state: 'failed',
      error: {
        code: 'AGENT_NO_RESULT',
        message: withStderr(`the agent ended (${exit}) without reporting a result`, outcome.stderrTail),
      },
    };
  }
  if (outcome.result.isError) {
    const status = outcome.result.apiErrorStatus ? ` (API status ${outcome.result.apiErrorStatus})` : '';
    const text = outcome.result.text || outcome.result.subtype || 'no detail';
    return {
      state: 'failed',
      error: { code: 'AGENT_FAILED', message: `the agent reported an error${status}: ${text}` },
    };
  }
  if (outcome.exitCode !== 0) {
    return {
      state: 'failed',
      error: {
        code: 'AGENT_FAILED',
        message: withStderr(`the agent reported success but ended with ${exit}`, outcome.stderrTail),
      },
    };
  }
  return { state: 'completed' };
}
