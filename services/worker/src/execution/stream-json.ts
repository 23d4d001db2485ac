import { z } from 'zod';
import type { NewTaskEvent } from '@claudine/core';

const MAX_TEXT = 64 * 1024;
const MAX_TOOL_RESULT = 8 * 1024;
const MAX_UNPARSED = 4 * 1024;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

const UsageSchema = z
  .looseObject({
    input_tokens: z.number().optional(),
    output_tokens: z.number().optional(),
    cache_creation_input_tokens: z.number().optional(),
    cache_read_input_tokens: z.number().optional(),
  })
  .optional();

const ContentBlockSchema = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  thinking: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
  tool_use_id: z.string().optional(),
  content: z.unknown().optional(),
  is_error: z.boolean().optional(),
});

const LineSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('system'),
    subtype: z.string().optional(),
    session_id: z.string().optional(),
    model: z.string().optional(),
    cwd: z.string().optional(),
    tools: z.array(z.string()).optional(),
    permissionMode: z.string().optional(),
    claude_code_version: z.string().optional(),
    attempt: z.number().optional(),
    max_retries: z.number().optional(),
    retry_delay_ms: z.number().optional(),
    error_status: z.number().nullable().optional(),
  }),
  z.looseObject({
    type: z.literal('assistant'),
    message: z.looseObject({ content: z.array(ContentBlockSchema).default([]) }),
    error: z.string().optional(),
  }),
  z.looseObject({
    type: z.literal('user'),
    message: z.looseObject({ content: z.union([z.string(), z.array(ContentBlockSchema)]).default([]) }),
  }),
  z.looseObject({
    type: z.literal('result'),
    subtype: z.string().default(''),
    is_error: z.boolean().default(false),
    result: z.string().optional(),
    session_id: z.string().default(''),
    num_turns: z.number().default(0),
    duration_ms: z.number().default(0),
    total_cost_usd: z.number().default(0),
    usage: UsageSchema,
    api_error_status: z.number().nullable().optional(),
    errors: z.array(z.unknown()).optional(),
  }),
  z.looseObject({
    type: z.literal('rate_limit_event'),
    rate_limit_info: z
      .looseObject({ status: z.string().default(''), resetsAt: z.number().optional() })
      .optional(),
  }),
]);

function stringifyToolContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) =>
        part && typeof part === 'object' && 'text' in part && typeof part.text === 'string'
          ? part.text
          : JSON.stringify(part),
      )
      .join('\n');
  }
  return content === undefined ? '' : JSON.stringify(content);
}

/**
 * Turns one line of Claude Code's `--output-format stream-json` into typed task events.
 * A line that is not JSON, or not a shape we know, is kept as `agent.unparsed` rather than lost.
 */
export function parseStreamJsonLine(line: string): NewTaskEvent[] {
  const trimmed = line.trim();
  if (trimmed === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return [{ type: 'agent.unparsed', data: { line: truncate(trimmed, MAX_UNPARSED) } }];
  }
  const parsed = LineSchema.safeParse(json);
  if (!parsed.success) {
    const type = json && typeof json === 'object' && 'type' in json ? String(json.type) : 'unknown';
    if (type === 'stream_event') return [];
    return [{ type: 'agent.system', data: { subtype: type, raw: json } }];
  }
  const message = parsed.data;
  switch (message.type) {
    case 'system':
      if (message.subtype === 'init') {
        return [
          {
            type: 'agent.init',
            data: {
              sessionId: message.session_id ?? '',
              model: message.model,
              cwd: message.cwd,
              tools: message.tools,
              permissionMode: message.permissionMode,
              claudeCodeVersion: message.claude_code_version,
            },
          },
        ];
      }
      if (message.subtype === 'api_retry') {
        return [
          {
            type: 'agent.retry',
            data: {
              attempt: message.attempt ?? 0,
              maxRetries: message.max_retries ?? 0,
              delayMs: message.retry_delay_ms ?? 0,
              errorStatus: message.error_status ?? undefined,
            },
          },
        ];
      }
      return [{ type: 'agent.system', data: { subtype: message.subtype ?? '', raw: json } }];
    case 'assistant':
      return message.message.content.flatMap((block): NewTaskEvent[] => {
        if (block.type === 'text' && block.text !== undefined)
          return [{ type: 'agent.text', data: { text: truncate(block.text, MAX_TEXT) } }];
        if (block.type === 'thinking')
          return [{ type: 'agent.thinking', data: { text: truncate(block.thinking ?? '', MAX_TEXT) } }];
        if (block.type === 'tool_use')
          return [
            {
              type: 'agent.tool_use',
              data: { id: block.id ?? '', name: block.name ?? '', input: block.input },
            },
          ];
        return [];
      });
    case 'user': {
      const content = message.message.content;
      if (typeof content === 'string') return [];
      return content
        .filter((block) => block.type === 'tool_result')
        .map((block) => ({
          type: 'agent.tool_result' as const,
          data: {
            toolUseId: block.tool_use_id ?? '',
            content: truncate(stringifyToolContent(block.content), MAX_TOOL_RESULT),
            isError: block.is_error ?? false,
          },
        }));
    }
    case 'result': {
      const errorsText = message.errors
        ?.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))
        .join('; ');
      return [
        {
          type: 'agent.result',
          data: {
            isError: message.is_error,
            subtype: message.subtype,
            text: truncate(message.result ?? errorsText ?? '', MAX_TEXT),
            sessionId: message.session_id,
            numTurns: message.num_turns,
            durationMs: message.duration_ms,
            costUsd: message.total_cost_usd,
            usage: {
              inputTokens: message.usage?.input_tokens ?? 0,
              outputTokens: message.usage?.output_tokens ?? 0,
              cacheCreationInputTokens: message.usage?.cache_creation_input_tokens ?? 0,
              cacheReadInputTokens: message.usage?.cache_read_input_tokens ?? 0,
            },
            apiErrorStatus: message.api_error_status ?? undefined,
          },
        },
      ];
    }
    case 'rate_limit_event':
      return [
        {
          type: 'agent.rate_limit',
          data: {
            status: message.rate_limit_info?.status ?? '',
            resetsAt: message.rate_limit_info?.resetsAt,
          },
        },
      ];
  }
}
