import type { MessagesRequestBody, ScriptedResponder } from './scripted-anthropic';

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

/**
 * The agent's working directory, as Claude Code states it in its system prompt
 * ("Primary working directory: /path"). Lets a script write into a worktree it cannot know in advance.
 */
export function agentWorkingDirectory(body: MessagesRequestBody): string {
  const match = /Primary working directory: (\S+)/.exec(JSON.stringify(body.system ?? body));
  if (!match?.[1]) throw new Error('the request does not state a working directory');
  return match[1].replace(/\\n$/, '');
}

/** Like writeFileThenFinish, with the path relative to the agent's working directory. */
export function writeRelativeFileThenFinish(
  relativePath: string,
  content: string,
  finalText: string,
): ScriptedResponder {
  return (request) =>
    request.turn === 1
      ? {
          kind: 'tool_use',
          name: 'Write',
          input: { file_path: `${agentWorkingDirectory(request.body)}/${relativePath}`, content },
        }
      : { kind: 'text', text: finalText };
}
