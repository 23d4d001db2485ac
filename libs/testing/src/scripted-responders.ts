import type { ScriptedResponder } from './scripted-anthropic';

/** Answers turn 1 with a Write of `content` to the absolute `filePath`, and every later turn with `finalText`. */
export function writeFileThenFinish(filePath: string, content: string, finalText: string): ScriptedResponder {
  return ({ turn }) =>
    turn === 1
      ? { kind: 'tool_use', name: 'Write', input: { file_path: filePath, content } }
      : { kind: 'text', text: finalText };
}

/** Fails every agent-loop request the same way; use a 4xx, since the CLI retries 5xx for minutes. */
export function alwaysError(status: number, errorType: string, message: string): ScriptedResponder {
  return () => ({ kind: 'error', status, errorType, message });
}
