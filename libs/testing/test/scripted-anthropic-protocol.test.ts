import { startScriptedAnthropic, waitFor, type ScriptedAnthropic, type ScriptedRequest } from '../src';
import { httpRequest, sseEvents } from './support/http-post';

const TOOLS = [{ name: 'Write', input_schema: { type: 'object' } }];

let server: ScriptedAnthropic | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('startScriptedAnthropic protocol', () => {
  it('answers HEAD / and GET with 200', async () => {
    server = await startScriptedAnthropic({ respond: () => ({ kind: 'text', text: 'unused' }) });
    expect((await httpRequest(`${server.url}/`, 'HEAD')).status).toBe(200);
    expect((await httpRequest(`${server.url}/anything`, 'GET')).status).toBe(200);
    expect(server.requests).toHaveLength(0);
  });

  it('streams a tool_use message with the standard event sequence', async () => {
    const seen: ScriptedRequest[] = [];
    server = await startScriptedAnthropic({
      respond: (request) => {
        seen.push(request);
        return {
          kind: 'tool_use',
          name: 'Write',
          input: { file_path: '/tmp/x', content: 'y' },
          text: 'writing',
        };
      },
    });

    const answer = await httpRequest(`${server.url}/v1/messages?beta=true`, 'POST', {
      model: 'claude-test-model',
      stream: true,
      tools: TOOLS,
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Write', input: {} }] },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'ok' }] }],
        },
      ],
    });

    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/event-stream');
    const events = sseEvents(answer.text);
    expect(events.map((event) => event.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[0]).toMatchObject({
      message: {
        id: expect.stringMatching(/^msg_/),
        model: 'claude-test-model',
        content: [],
        usage: { input_tokens: 10, output_tokens: 1 },
      },
    });
    expect(events[2]).toMatchObject({ delta: { type: 'text_delta', text: 'writing' } });
    expect(events[4]).toMatchObject({
      content_block: { type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'Write' },
    });
    expect(events[5]).toMatchObject({
      delta: { type: 'input_json_delta', partial_json: '{"file_path":"/tmp/x","content":"y"}' },
    });
    expect(events[7]).toMatchObject({ delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 5 } });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      turn: 2,
      lastToolResults: [{ tool_use_id: 'toolu_1', content: 'ok', is_error: false }],
    });
    expect(server.requests[0]).toMatchObject({ url: '/v1/messages?beta=true', turn: 2 });
  });

  it('answers side requests without tools itself, fitting a requested JSON schema', async () => {
    server = await startScriptedAnthropic({
      respond: () => ({ kind: 'error', status: 500, errorType: 'api_error', message: 'must not be asked' }),
    });

    const answer = await httpRequest(`${server.url}/v1/messages`, 'POST', {
      model: 'm',
      stream: true,
      tools: [],
      messages: [{ role: 'user', content: 'title this' }],
      output_config: {
        format: {
          type: 'json_schema',
          schema: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] },
        },
      },
    });

    const delta = sseEvents(answer.text).find((event) => event.type === 'content_block_delta');
    expect(delta).toMatchObject({ delta: { text: '{"title":"Scripted title"}' } });
    expect(server.requests[0]?.turn).toBeNull();
  });

  it('answers a scripted error with its status and an Anthropic error body', async () => {
    server = await startScriptedAnthropic({
      respond: () => ({ kind: 'error', status: 401, errorType: 'authentication_error', message: 'nope' }),
    });

    const answer = await httpRequest(`${server.url}/v1/messages`, 'POST', {
      model: 'm',
      tools: TOOLS,
      messages: [{ role: 'user', content: 'x' }],
    });

    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'nope' },
    });
  });

  it('holds a hanging request until stop(), which closes its socket', async () => {
    const running = await startScriptedAnthropic({ respond: () => ({ kind: 'hang' }) });
    server = running;
    const pending = httpRequest(`${running.url}/v1/messages`, 'POST', {
      model: 'm',
      tools: TOOLS,
      messages: [{ role: 'user', content: 'x' }],
    });
    const outcome = pending.then(
      () => 'answered',
      () => 'connection closed',
    );
    await waitFor(() => running.requests.length === 1, { description: 'the request to arrive' });

    await running.stop();

    expect(await outcome).toBe('connection closed');
  });
});
