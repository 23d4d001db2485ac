import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runClaude, type ClaudeRun, type ContentBlock, type MessagesRequestBody } from '@claudine/testing';

/** The lead session's names of two of claudine's MCP tools. */
export const DELEGATE = 'mcp__claudine__DelegateTask';
export const WAIT = 'mcp__claudine__WaitForTask';
export const LEAD_TIMEOUT_MS = 90_000;

/** What the lead's model reads of a task in DelegateTask's and WaitForTask's results. */
export interface TaskView {
  id: string;
  state: string;
  result?: { text: string };
}

/**
 * Writes the lead's MCP config (home/mcp.json) with one server, `claudine`, and returns its path.
 * Claude Code connects MCP servers in the background, so a headless session's first turn can be
 * built before the server is up and lack its tools: alwaysLoad makes the CLI wait for this server,
 * for up to MCP_CONNECT_TIMEOUT_MS (5 s by default, raised by runLead for a loaded machine).
 */
export async function writeLeadMcpConfig(home: string, server: Record<string, unknown>): Promise<string> {
  const mcpConfig = path.join(home, 'mcp.json');
  await writeFile(mcpConfig, JSON.stringify({ mcpServers: { claudine: { ...server, alwaysLoad: true } } }));
  return mcpConfig;
}

export interface LeadOptions {
  prompt: string;
  mcpConfig: string;
  /** The session's HOME (its Claude config goes under it). */
  home: string;
  cwd: string;
  /** The scripted Messages API. */
  anthropicUrl: string;
  apiKey: string;
}

/** A headless lead session of the real CLI with only the claudine server, allowed DelegateTask and WaitForTask. */
export function runLead(options: LeadOptions): Promise<ClaudeRun> {
  return runClaude(
    [
      '-p',
      options.prompt,
      '--output-format',
      'stream-json',
      '--verbose',
      '--mcp-config',
      options.mcpConfig,
      '--strict-mcp-config',
      // In -p mode an MCP tool runs only when a rule allows it (every permission mode denies it otherwise).
      '--allowedTools',
      `${DELEGATE},${WAIT}`,
    ],
    {
      cwd: options.cwd,
      env: {
        PATH: process.env.PATH,
        HOME: options.home,
        ANTHROPIC_BASE_URL: options.anthropicUrl,
        ANTHROPIC_API_KEY: options.apiKey,
        CLAUDE_CONFIG_DIR: path.join(options.home, 'claude-config'),
        DISABLE_AUTOUPDATER: '1',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        MCP_CONNECT_TIMEOUT_MS: '30000',
      },
      timeoutMs: LEAD_TIMEOUT_MS,
    },
  );
}

/** Whether the request offers the model both DelegateTask and WaitForTask. */
export function offersDelegateAndWait(body: MessagesRequestBody): boolean {
  const offered = (body.tools ?? []).map((tool) => (tool as { name?: unknown }).name);
  return offered.includes(DELEGATE) && offered.includes(WAIT);
}

/** The tool_use of the conversation's last assistant message, which the final user message answers. */
export function previousToolUse(body: MessagesRequestBody): { name: string; input: unknown } | undefined {
  const assistant = (body.messages ?? []).filter((message) => message.role === 'assistant').at(-1);
  if (assistant === undefined || typeof assistant.content === 'string') return undefined;
  const use = assistant.content.find((block: ContentBlock) => block.type === 'tool_use');
  return use === undefined ? undefined : { name: String(use.name), input: use.input };
}

/** Every tool call of the session's assistant messages, in order. */
export function toolUses(run: ClaudeRun): Array<{ name: string; input: unknown }> {
  return run.lines
    .filter((line) => line.type === 'assistant')
    .flatMap((line) => (line.message as { content: ContentBlock[] }).content)
    .filter((block) => block.type === 'tool_use')
    .map((block) => ({ name: String(block.name), input: block.input }));
}
