import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The parts of a Messages API request body the harness reads; everything else is kept as sent. */
export interface MessagesRequestBody {
  model?: string;
  messages?: MessageParam[];
  tools?: unknown[];
  stream?: boolean;
  [key: string]: unknown;
}

export interface MessageParam {
  /** The CLI also sends mid-conversation 'system' messages (its agent catalogue) inside `messages`. */
  role: 'user' | 'assistant' | 'system';
  content: string | ContentBlock[];
}

export interface ContentBlock {
  type: string;
  [key: string]: unknown;
}

export interface ToolResult {
  tool_use_id: string;
  /** Text of the result; block arrays are flattened to their text parts. */
  content: string;
  is_error: boolean;
}

export interface ScriptedRequest {
  body: MessagesRequestBody;
  /**
   * 1 + the number of assistant messages already in the conversation: it restarts with each new
   * conversation and a retried request keeps its turn. (Counting one-message requests would not
   * work: the CLI's first request already holds a user and a system message.)
   */
  turn: number;
  /** tool_result blocks of the last user message: what the CLI reports about the previous tool_use. */
  lastToolResults: ToolResult[];
}

export type ScriptedReply =
  | { kind: 'text'; text: string }
  | { kind: 'tool_use'; name: string; input: Record<string, unknown>; text?: string }
  | { kind: 'error'; status: number; errorType: string; message: string }
  /** Never answers; the response is destroyed by stop(). */
  | { kind: 'hang' };

export type ScriptedResponder = (request: ScriptedRequest) => ScriptedReply | Promise<ScriptedReply>;

export interface ScriptedAnthropicOptions {
  respond: ScriptedResponder;
}

export interface RecordedRequest {
  method: string;
  /** Path and query as sent, e.g. '/v1/messages?beta=true'. */
  url: string;
  headers: IncomingHttpHeaders;
  body: MessagesRequestBody;
  /** null for side requests that are not part of the agent loop (title generation, token counting). */
  turn: number | null;
}

export interface ScriptedAnthropic {
  /** Base URL for ANTHROPIC_BASE_URL, without a trailing slash. */
  url: string;
  /** Every POST, in arrival order. */
  requests: RecordedRequest[];
  /** Closes the listener and destroys every socket, including hanging responses. */
  stop(): Promise<void>;
}

const SIDE_REQUEST_TEXT = 'Scripted title';

/**
 * A loopback stand-in for the Anthropic Messages API that the real Claude Code CLI accepts:
 * ANTHROPIC_BASE_URL=<url> and any ANTHROPIC_API_KEY. Agent-loop requests (those carrying
 * `tools`) are answered by `options.respond`; side requests get a fixed short text.
 */
export async function startScriptedAnthropic(options: ScriptedAnthropicOptions): Promise<ScriptedAnthropic> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    handle(req, res, options.respond, requests).catch((error: unknown) => {
      // A bug in the harness or in respond() must end the CLI run quickly; a 5xx would make the
      // CLI retry with backoff for minutes, so answer a non-retryable 400 naming the problem.
      if (!res.headersSent) {
        sendError(res, 400, 'invalid_request_error', `Scripted server failed: ${describeError(error)}`);
      } else {
        res.destroy();
      }
    });
  });
  // The CLI keeps connections alive; without this Jest would wait for them after stop().
  server.keepAliveTimeout = 1_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  respond: ScriptedResponder,
  requests: RecordedRequest[],
): Promise<void> {
  const url = req.url ?? '/';
  const path = url.split('?', 1)[0] ?? '/';
  if (req.method !== 'POST') {
    // The CLI probes reachability with HEAD / before its first POST.
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain' }).end(req.method === 'HEAD' ? undefined : 'ok');
    return;
  }

  const raw = await readBody(req);
  let body: MessagesRequestBody;
  try {
    body = raw.length === 0 ? {} : (JSON.parse(raw) as MessagesRequestBody);
  } catch {
    requests.push({ method: 'POST', url, headers: req.headers, body: { unparsed: raw }, turn: null });
    sendError(res, 400, 'invalid_request_error', 'Request body is not JSON');
    return;
  }

  if (path === '/v1/messages/count_tokens') {
    requests.push({ method: 'POST', url, headers: req.headers, body, turn: null });
    sendJson(res, 200, { input_tokens: 10 });
    return;
  }
  if (path !== '/v1/messages') {
    requests.push({ method: 'POST', url, headers: req.headers, body, turn: null });
    sendError(res, 404, 'not_found_error', `The scripted server does not implement ${path}`);
    return;
  }

  // The title request sends `tools: []`, not a missing field.
  const isAgentLoop = Array.isArray(body.tools) && body.tools.length > 0;
  const turn = isAgentLoop ? countTurn(body) : null;
  requests.push({ method: 'POST', url, headers: req.headers, body, turn });

  const reply: ScriptedReply =
    turn === null
      ? { kind: 'text', text: sideRequestText(body) }
      : await respond({ body, turn, lastToolResults: lastToolResults(body) });
  sendReply(req, res, body, reply);
}

function sendReply(
  req: IncomingMessage,
  res: ServerResponse,
  body: MessagesRequestBody,
  reply: ScriptedReply,
): void {
  switch (reply.kind) {
    case 'hang':
      // Leave the response open; stop() destroys the socket.
      return;
    case 'error':
      sendError(res, reply.status, reply.errorType, reply.message);
      return;
    case 'text':
    case 'tool_use': {
      const message = buildMessage(body.model ?? 'claude-scripted', reply);
      if (body.stream === false) {
        sendJson(res, 200, message.complete);
      } else {
        streamMessage(req, res, message);
      }
      return;
    }
  }
}

interface BuiltMessage {
  complete: Record<string, unknown>;
  start: Record<string, unknown>;
  blocks: Array<{ start: ContentBlock; delta: ContentBlock }>;
  stopReason: 'end_turn' | 'tool_use';
}

function buildMessage(
  model: string,
  reply: Extract<ScriptedReply, { kind: 'text' | 'tool_use' }>,
): BuiltMessage {
  const blocks: BuiltMessage['blocks'] = [];
  const content: ContentBlock[] = [];
  const { text } = reply;
  if (text !== undefined && text !== '') {
    blocks.push({ start: { type: 'text', text: '' }, delta: { type: 'text_delta', text } });
    content.push({ type: 'text', text });
  }
  if (reply.kind === 'tool_use') {
    const id = `toolu_${randomId(12)}`;
    blocks.push({
      start: { type: 'tool_use', id, name: reply.name, input: {} },
      delta: { type: 'input_json_delta', partial_json: JSON.stringify(reply.input) },
    });
    content.push({ type: 'tool_use', id, name: reply.name, input: reply.input });
  }
  const stopReason = reply.kind === 'tool_use' ? 'tool_use' : 'end_turn';
  const id = `msg_${randomId(12)}`;
  const envelope = { id, type: 'message', role: 'assistant', model, stop_sequence: null };
  return {
    start: { ...envelope, content: [], stop_reason: null, usage: { input_tokens: 10, output_tokens: 1 } },
    complete: {
      ...envelope,
      content,
      stop_reason: stopReason,
      usage: { input_tokens: 10, output_tokens: 5 },
    },
    blocks,
    stopReason,
  };
}

function streamMessage(req: IncomingMessage, res: ServerResponse, message: BuiltMessage): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'request-id': `req_${randomId(12)}`,
  });
  const send = (event: string, data: Record<string, unknown>): void => {
    res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
  };
  send('message_start', { message: message.start });
  message.blocks.forEach((block, index) => {
    send('content_block_start', { index, content_block: block.start });
    send('content_block_delta', { index, delta: block.delta });
    send('content_block_stop', { index });
  });
  send('message_delta', {
    delta: { stop_reason: message.stopReason, stop_sequence: null },
    usage: { output_tokens: 5 },
  });
  send('message_stop', {});
  res.end();
  req.resume();
}

function sendError(res: ServerResponse, status: number, errorType: string, message: string): void {
  sendJson(res, status, { type: 'error', error: { type: errorType, message } });
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'request-id': `req_${randomId(12)}`,
  });
  res.end(text);
}

/**
 * The CLI's title request asks for structured output (`output_config.format` with a JSON schema
 * of `{title: string}`); answering plain text there would only be tolerated, so fit the schema.
 */
function sideRequestText(body: MessagesRequestBody): string {
  const outputConfig = body.output_config;
  if (typeof outputConfig === 'object' && outputConfig !== null && 'format' in outputConfig) {
    const format: unknown = outputConfig.format;
    if (typeof format === 'object' && format !== null && 'schema' in format) {
      return JSON.stringify(sampleFromSchema(format.schema));
    }
  }
  return SIDE_REQUEST_TEXT;
}

/** The smallest value that satisfies the simple schemas the CLI sends (objects of scalars). */
function sampleFromSchema(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null) return SIDE_REQUEST_TEXT;
  const { type, properties, required } = schema as {
    type?: unknown;
    properties?: unknown;
    required?: unknown;
  };
  switch (type) {
    case 'object': {
      const result: Record<string, unknown> = {};
      const props =
        typeof properties === 'object' && properties !== null ? (properties as Record<string, unknown>) : {};
      const names = Array.isArray(required)
        ? required.filter((name): name is string => typeof name === 'string')
        : Object.keys(props);
      for (const name of names) result[name] = sampleFromSchema(props[name]);
      return result;
    }
    case 'array':
      return [];
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    default:
      return SIDE_REQUEST_TEXT;
  }
}

function countTurn(body: MessagesRequestBody): number {
  return 1 + (body.messages ?? []).filter((message) => message.role === 'assistant').length;
}

function lastToolResults(body: MessagesRequestBody): ToolResult[] {
  const last = body.messages?.at(-1);
  if (last === undefined || last.role !== 'user' || typeof last.content === 'string') return [];
  return last.content
    .filter((block) => block.type === 'tool_result')
    .map((block) => ({
      tool_use_id: String(block.tool_use_id),
      content: flattenContent(block.content),
      is_error: block.is_error === true,
    }));
}

function flattenContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) =>
      typeof part === 'object' && part !== null && 'text' in part && typeof part.text === 'string'
        ? part.text
        : '',
    )
    .join('');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function randomId(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
