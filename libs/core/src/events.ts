import type { TaskState } from './task';

/**
 * The events kept in a task's stream, as `type` → shape of `data`.
 * Agent events are parsed from Claude Code's stream-json lines; the rest come from the cluster.
 */
export interface TaskEventData {
  'task.state': { state: TaskState; reason?: string; workerId?: string; attempt?: number };
  'agent.init': {
    sessionId: string;
    model?: string;
    cwd?: string;
    tools?: string[];
    permissionMode?: string;
    claudeCodeVersion?: string;
  };
  'agent.text': { text: string };
  'agent.thinking': { text: string };
  'agent.tool_use': { id: string; name: string; input: unknown };
  'agent.tool_result': { toolUseId: string; content: string; isError: boolean };
  'agent.result': {
    isError: boolean;
    subtype: string;
    text: string;
    sessionId: string;
    numTurns: number;
    durationMs: number;
    costUsd: number;
    usage: {
      inputTokens: number;
      outputTokens: number;
      cacheCreationInputTokens: number;
      cacheReadInputTokens: number;
    };
    apiErrorStatus?: number;
  };
  'agent.retry': { attempt: number; maxRetries: number; delayMs: number; errorStatus?: number };
  'agent.rate_limit': { status: string; resetsAt?: number };
  'agent.system': { subtype: string; raw: unknown };
  'agent.stderr': { line: string };
  'agent.unparsed': { line: string };
  'worker.log': { message: string; [key: string]: unknown };
  /** One of the task's dependencies finished (`remaining`: how many it still waits for). */
  'dependency.resolved': { dependency: string; outcome: string; remaining: number };
  /** The repository's setup command, run in the new worktree before the agent. */
  'setup.started': { command: string; cwd: string };
  'setup.output': { stream: 'stdout' | 'stderr'; line: string };
  'setup.finished': { exitCode: number | null; signal?: string; durationMs: number };
  /**
   * Never stored: put first by a read when the task's log size cap dropped the `dropped` events
   * just before it. Its offset is the last dropped one, so resuming from it repeats nothing.
   */
  'log.truncated': { dropped: number };
}

export type TaskEventType = keyof TaskEventData;

/** One event as the agent or the worker produced it, before it is numbered in the stream. */
export type NewTaskEvent = { [K in TaskEventType]: { type: K; data: TaskEventData[K] } }[TaskEventType];

/** One event as read back from a task's stream. */
export type TaskEvent = NewTaskEvent & { taskId: string; offset: number; timeMs: number };
