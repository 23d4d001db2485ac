import { parseStreamJsonLine } from './stream-json';

describe('parseStreamJsonLine', () => {
  it('reads the init line', () => {
    const [event] = parseStreamJsonLine(
      JSON.stringify({
        type: 'system',
        subtype: 'init',
        session_id: 's1',
        model: 'm',
        cwd: '/w',
        tools: ['Write'],
      }),
    );
    expect(event).toEqual({
      type: 'agent.init',
      data: {
        sessionId: 's1',
        model: 'm',
        cwd: '/w',
        tools: ['Write'],
        permissionMode: undefined,
        claudeCodeVersion: undefined,
      },
    });
  });

  it('splits an assistant message into text and tool calls', () => {
    const events = parseStreamJsonLine(
      JSON.stringify({
        type: 'assistant',
        message: {
          content: [
            { type: 'text', text: 'Writing it' },
            { type: 'tool_use', id: 't1', name: 'Write', input: { file_path: '/w/a' } },
          ],
        },
      }),
    );
    expect(events.map((e) => e.type)).toEqual(['agent.text', 'agent.tool_use']);
    expect(events[1]).toEqual({
      type: 'agent.tool_use',
      data: { id: 't1', name: 'Write', input: { file_path: '/w/a' } },
    });
  });

  it('keeps tool results, truncated', () => {
    const [event] = parseStreamJsonLine(
      JSON.stringify({
        type: 'user',
        message: {
          content: [{ type: 'tool_result', tool_use_id: 't1', content: 'x'.repeat(10_000), is_error: true }],
        },
      }),
    );
    expect(event?.type).toBe('agent.tool_result');
    if (event?.type !== 'agent.tool_result') throw new Error('unreachable');
    expect(event.data.isError).toBe(true);
    expect(event.data.content.length).toBeLessThan(9_000);
  });

  it('reads the result line, errors included', () => {
    const [event] = parseStreamJsonLine(
      JSON.stringify({
        type: 'result',
        subtype: 'success',
        is_error: true,
        result: 'API Error: 401',
        session_id: 's1',
        num_turns: 1,
        duration_ms: 12,
        total_cost_usd: 0.5,
        usage: { input_tokens: 3, output_tokens: 4 },
        api_error_status: 401,
      }),
    );
    expect(event).toEqual({
      type: 'agent.result',
      data: {
        isError: true,
        subtype: 'success',
        text: 'API Error: 401',
        sessionId: 's1',
        numTurns: 1,
        durationMs: 12,
        costUsd: 0.5,
        usage: { inputTokens: 3, outputTokens: 4, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
        apiErrorStatus: 401,
      },
    });
  });

  it('reads API retries', () => {
    const [event] = parseStreamJsonLine(
      JSON.stringify({
        type: 'system',
        subtype: 'api_retry',
        attempt: 2,
        max_retries: 10,
        retry_delay_ms: 500,
        error_status: 529,
      }),
    );
    expect(event).toEqual({
      type: 'agent.retry',
      data: { attempt: 2, maxRetries: 10, delayMs: 500, errorStatus: 529 },
    });
  });

  it('keeps what it cannot parse instead of losing it', () => {
    expect(parseStreamJsonLine('not json')).toEqual([{ type: 'agent.unparsed', data: { line: 'not json' } }]);
    expect(parseStreamJsonLine('{"type":"future_kind","x":1}')).toEqual([
      { type: 'agent.system', data: { subtype: 'future_kind', raw: { type: 'future_kind', x: 1 } } },
    ]);
    expect(parseStreamJsonLine('   ')).toEqual([]);
  });
});
