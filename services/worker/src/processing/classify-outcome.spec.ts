import type { AgentRunOutcome } from '../execution/agent-executor';
import { classifyOutcome } from './classify-outcome';

const result = {
  isError: false,
  subtype: 'success',
  text: 'done',
  sessionId: 's',
  numTurns: 2,
  durationMs: 10,
  costUsd: 0.01,
  usage: { inputTokens: 1, outputTokens: 1, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
};
const ok: AgentRunOutcome = { exitCode: 0, signal: null, result, stderrTail: '' };

describe('classifyOutcome', () => {
  it('completes only with a clean result and exit 0', () => {
    expect(classifyOutcome(ok, 1000)).toEqual({ state: 'completed' });
  });

  it('fails on is_error even when the exit code is 0', () => {
    const outcome = classifyOutcome(
      { ...ok, result: { ...result, isError: true, text: 'API Error: 400 bad' } },
      1000,
    );
    expect(outcome).toEqual({
      state: 'failed',
      error: { code: 'AGENT_FAILED', message: expect.stringContaining('API Error: 400 bad') },
      retryable: false,
    });
  });

  it('fails without a result line, quoting stderr', () => {
    const outcome = classifyOutcome({ exitCode: 0, signal: null, stderrTail: 'boom' }, 1000);
    expect(outcome).toEqual({
      state: 'failed',
      error: { code: 'AGENT_NO_RESULT', message: expect.stringContaining('boom') },
      retryable: false,
    });
  });

  it('fails on a non-zero exit even with a successful result', () => {
    expect(classifyOutcome({ ...ok, exitCode: 3 }, 1000)).toMatchObject({
      state: 'failed',
      error: { code: 'AGENT_FAILED' },
    });
  });

  it('reports timeouts, cancellations and start failures for what they are', () => {
    expect(classifyOutcome({ ...ok, stoppedFor: 'timeout' }, 90_000)).toEqual({
      state: 'failed',
      error: { code: 'TIMEOUT', message: expect.stringContaining('1m30s') },
      retryable: false,
    });
    expect(classifyOutcome({ ...ok, stoppedFor: 'cancelled' }, 1000)).toEqual({ state: 'cancelled' });
    expect(
      classifyOutcome(
        { exitCode: null, signal: null, spawnError: new Error('ENOENT'), stderrTail: '' },
        1000,
      ),
    ).toMatchObject({
      state: 'failed',
      error: { code: 'AGENT_START_FAILED' },
      retryable: true,
    });
  });

  it('retries what the infrastructure failed, never what the task did', () => {
    const apiError = (apiErrorStatus: number, text = 'API Error') =>
      classifyOutcome(
        { ...ok, exitCode: 1, result: { ...result, isError: true, text, apiErrorStatus } },
        1000,
      );
    expect(apiError(529)).toMatchObject({ retryable: true });
    expect(apiError(429)).toMatchObject({ retryable: true });
    expect(apiError(400)).toMatchObject({ retryable: false });
    expect(apiError(401)).toMatchObject({ retryable: false });
    expect(classifyOutcome({ ...ok, stoppedFor: 'shutdown' }, 1000)).toMatchObject({
      error: { code: 'WORKER_LOST' },
      retryable: true,
    });
  });

  it('names budget and max-turns endings', () => {
    const ending = (subtype: string) =>
      classifyOutcome({ ...ok, exitCode: 1, result: { ...result, isError: true, subtype } }, 1000);
    expect(ending('error_max_budget_usd')).toMatchObject({
      state: 'failed',
      error: { code: 'BUDGET_EXCEEDED', message: expect.stringContaining('budget') },
      retryable: false,
    });
    expect(ending('error_max_turns')).toMatchObject({ state: 'failed', error: { code: 'MAX_TURNS' } });
  });
});
