import type { TaskEvent } from './events';
import { formatDuration } from './duration';

const TOOL_RESULT_LINES = 6;
const TOOL_RESULT_CHARS = 600;

function summariseInput(input: unknown): string {
  if (input === null || typeof input !== 'object') return JSON.stringify(input) ?? '';
  const record = input as Record<string, unknown>;
  for (const key of ['command', 'file_path', 'path', 'pattern', 'url', 'description']) {
    const value = record[key];
    if (typeof value === 'string') return value.length > 200 ? `${value.slice(0, 200)}…` : value;
  }
  const text = JSON.stringify(input);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function truncateLines(text: string): string {
  const lines = text.split('\n');
  let shown = lines.slice(0, TOOL_RESULT_LINES).join('\n');
  if (shown.length > TOOL_RESULT_CHARS) shown = `${shown.slice(0, TOOL_RESULT_CHARS)}…`;
  const hidden = lines.length - TOOL_RESULT_LINES;
  return hidden > 0 ? `${shown}\n… (${hidden} more lines)` : shown;
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}

/**
 * One event as a readable transcript line (or lines): assistant text, tool calls with their
 * input summarised, tool results truncated, the final result with cost. `undefined` for events
 * that say nothing to a reader.
 */
export function formatTranscriptEvent(event: TaskEvent): string | undefined {
  switch (event.type) {
    case 'task.state': {
      const { state, reason, workerId, attempt } = event.data;
      const where = workerId ? ` on ${workerId}${attempt ? ` (attempt ${attempt})` : ''}` : '';
      return `── ${state}${where}${reason ? `: ${reason}` : ''}`;
    }
    case 'agent.init':
      return `· session ${event.data.sessionId}${event.data.model ? ` · model ${event.data.model}` : ''}`;
    case 'agent.text':
      return event.data.text;
    case 'agent.thinking':
      return undefined;
    case 'agent.tool_use':
      return `→ ${event.data.name}: ${summariseInput(event.data.input)}`;
    case 'agent.tool_result':
      return indent(truncateLines(event.data.content), event.data.isError ? '  ✗ ' : '  ');
    case 'agent.result': {
      const r = event.data;
      const head = r.isError ? '✗ failed' : '✓ done';
      return `${head} · ${r.numTurns} turns · ${formatDuration(r.durationMs)} · $${r.costUsd.toFixed(4)}${r.text ? `\n${r.text}` : ''}`;
    }
    case 'agent.retry':
      return `· API retry ${event.data.attempt}/${event.data.maxRetries}${event.data.errorStatus ? ` (status ${event.data.errorStatus})` : ''}`;
    case 'agent.rate_limit':
      return event.data.status === 'allowed' ? undefined : `· rate limit: ${event.data.status}`;
    case 'agent.system':
      return undefined;
    case 'agent.stderr':
      return `! ${event.data.line}`;
    case 'agent.unparsed':
      return `? ${event.data.line}`;
    case 'worker.log':
      return `· ${event.data.message}`;
    case 'dependency.resolved': {
      const { dependency, outcome, remaining } = event.data;
      return `· dependency ${dependency} ${outcome}${remaining > 0 ? ` (${remaining} to go)` : ''}`;
    }
    case 'setup.started':
      return `$ ${event.data.command}`;
    case 'setup.output':
      return `  ${event.data.line}`;
    case 'setup.finished':
      return `· setup ${event.data.exitCode === 0 ? 'done' : `failed (${event.data.signal ?? `exit ${event.data.exitCode}`})`} in ${formatDuration(event.data.durationMs)}`;
    case 'log.truncated':
      return `… ${event.data.dropped} earlier event${event.data.dropped === 1 ? ' was' : 's were'} dropped (log size cap)`;
  }
}
