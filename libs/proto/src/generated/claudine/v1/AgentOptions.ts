// Original file: proto/claudine/v1/tasks.proto

/**
 * How the agent (Claude Code) is run for one task. Empty fields take the cluster's defaults.
 */
export interface AgentOptions {
  model?: string;
  /**
   * default | acceptEdits | plan | bypassPermissions | dontAsk
   */
  permissionMode?: string;
  /**
   * Claude Code permission rules, for example "Bash(git diff *)".
   */
  allowedTools?: string[];
  maxTurns?: number;
  appendSystemPrompt?: string;
  /**
   * Stop the agent, and fail the task with BUDGET_EXCEEDED, past this cost. 0: no budget.
   */
  maxBudgetUsd?: number | string;
}

/**
 * How the agent (Claude Code) is run for one task. Empty fields take the cluster's defaults.
 */
export interface AgentOptions__Output {
  model: string;
  /**
   * default | acceptEdits | plan | bypassPermissions | dontAsk
   */
  permissionMode: string;
  /**
   * Claude Code permission rules, for example "Bash(git diff *)".
   */
  allowedTools: string[];
  maxTurns: number;
  appendSystemPrompt: string;
  /**
   * Stop the agent, and fail the task with BUDGET_EXCEEDED, past this cost. 0: no budget.
   */
  maxBudgetUsd: number;
}
