import type { AgentOptions, NewTaskEvent, TaskEventData } from '@claudine/core';

/**
 * Why a run was stopped from outside. `fenced`: this worker no longer holds the task's current
 * attempt (another worker took it over, or this one was cut off from Redis past its lock), so
 * the run's outcome must not be reported.
 */
export type StopReason = 'timeout' | 'cancelled' | 'shutdown' | 'fenced';

/** What an executor needs to run one task's agent. */
export interface AgentRunRequest {
  taskId: string;
  prompt: string;
  /** The agent's working directory, inside the task's worktree. */
  cwd: string;
  /** A directory owned by this run alone (agent config, transcripts). */
  runDir: string;
  agent: AgentOptions;
  /** Continue this Claude session (its transcript is under `runDir`) instead of starting one. */
  resumeSessionId?: string;
}

/** The agent's own report of how it ended (Claude Code's `result` line). */
export type AgentResultReport = TaskEventData['agent.result'];

export interface AgentRunOutcome {
  /** Null when the process was killed by a signal or never started. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all. */
  spawnError?: Error;
  /** The final report; absent when the agent ended without one (a failure). */
  result?: AgentResultReport;
  sessionId?: string;
  /** Set when the run was stopped from outside. */
  stoppedFor?: StopReason;
  /** Set when the API refused the run for a rate limit ("rejected"), to when it lifts. */
  rateLimitedUntilMs?: number;
  /** The last lines the agent wrote to stderr, for error messages. */
  stderrTail: string;
}

export interface AgentRunCallbacks {
  onEvent(event: NewTaskEvent): void;
  /** The agent process exists (its pid), at this time. */
  onStarted?(pid: number, atMs: number): void;
}

/** One prepared run: started once, stoppable at any time. */
export interface PreparedAgentRun {
  /** The command line, for logs (the prompt is elided). */
  readonly description: string;
  run(callbacks: AgentRunCallbacks): Promise<AgentRunOutcome>;
  /** Stops the run and everything it started; idempotent. */
  stop(reason: StopReason): void;
}

/**
 * Runs an agent for a task. Claude Code as a child process is the one executor today; Claude
 * Code in a container or another agent's CLI would be others, with no change to the queue code.
 */
export interface AgentExecutor {
  readonly name: string;
  prepare(request: AgentRunRequest): Promise<PreparedAgentRun>;
}
