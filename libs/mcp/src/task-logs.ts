import { formatTranscriptEvent } from '@claudine/core';
import type { ClaudineBackend } from './backend';

export interface TaskLogsOptions {
  taskId: string;
  tail?: number;
  sinceMs?: number;
  afterOffset?: number;
  maxChars: number;
}

export interface TaskTranscript {
  transcript: string;
  /** Events read (some, such as thinking, print nothing). */
  events: number;
  /** The offset of the last event read: pass it as afterOffset to read on. */
  lastOffset: number;
  truncated: boolean;
  /** Characters of transcript left out at its start. */
  omittedChars: number;
}

/**
 * A task's transcript as `claudine logs` prints it, the newest part kept when it is longer than
 * `maxChars`, a first line saying what was cut.
 */
export async function readTranscript(
  backend: ClaudineBackend,
  options: TaskLogsOptions,
): Promise<TaskTranscript> {
  const lines: string[] = [];
  let events = 0;
  let lastOffset = options.afterOffset ?? 0;
  for await (const event of backend.watch(options.taskId, {
    follow: false,
    fromOffset: options.afterOffset ?? 0,
    tail: options.tail ?? 0,
    sinceMs: options.sinceMs ?? 0,
  })) {
    events += 1;
    lastOffset = event.offset;
    const line = formatTranscriptEvent(event);
    if (line !== undefined) lines.push(line);
  }
  const full = lines.join('\n');
  if (full.length <= options.maxChars) {
    return { transcript: full, events, lastOffset, truncated: false, omittedChars: 0 };
  }
  const marker = (omitted: number): string =>
    `[… ${omitted} earlier characters cut (of ${full.length}); to read them ask with tail, since or afterOffset, or a larger maxChars]\n`;
  // The marker's own length depends on the number it shows: room for the widest one.
  let kept = full.slice(full.length - (options.maxChars - marker(full.length).length));
  const lineStart = kept.indexOf('\n');
  if (lineStart >= 0 && lineStart < 400) kept = kept.slice(lineStart + 1);
  const omittedChars = full.length - kept.length;
  return { transcript: marker(omittedChars) + kept, events, lastOffset, truncated: true, omittedChars };
}
