// Original file: proto/claudine/v1/tasks.proto

import type {
  Priority as _claudine_v1_Priority,
  Priority__Output as _claudine_v1_Priority__Output,
} from '../../claudine/v1/Priority';
import type {
  AgentOptions as _claudine_v1_AgentOptions,
  AgentOptions__Output as _claudine_v1_AgentOptions__Output,
} from '../../claudine/v1/AgentOptions';
import type { Long } from '@grpc/proto-loader';

export interface TaskSpec {
  prompt?: string;
  /**
   * An absolute local path that the workers can reach, or a git URL (https, http, ssh, git, file, user@host:path).
   */
  repository?: string;
  /**
   * Branch, tag or commit the task starts from. Empty: the repository's HEAD.
   */
  baseRef?: string;
  /**
   * Relative path inside the repository where the agent starts.
   */
  workingDirectory?: string;
  priority?: _claudine_v1_Priority;
  /**
   * 1,000 ms to 86,400,000 ms (24 h). 0 takes the default, 30 minutes.
   */
  timeoutMs?: number | string | Long;
  agent?: _claudine_v1_AgentOptions | null;
  labels?: { [key: string]: string };
  /**
   * Tries in all, 1 to 10; 0 takes the default, 3. Only infrastructure failures are retried.
   */
  maxAttempts?: number;
  /**
   * What happens to a completed task's work: branch (default: the branch stays; pushed for a URL
   * repository) | pr (pushed, and a pull request opened with gh) | auto (merged into the base
   * branch) | patch (a patch is kept, served by GetPatch) | none.
   */
  mergeStrategy?: string;
  /**
   * What happens to the task's worktree: auto (removed after success, kept otherwise) | keep | delete.
   */
  worktreeCleanup?: string;
  /**
   * Run the agent, then only report what would be committed and merged (diffstat, conflicts):
   * no branch is created, nothing is merged, and the worktree is removed.
   */
  dryRun?: boolean;
  /**
   * Tasks that must finish first (at most 100; the chain above a task at most 100 deep).
   */
  dependsOn?: string[];
  /**
   * When a dependency fails or is cancelled: fail (default: this task fails, reason
   * dependency_failed) | cancel | continue (it runs anyway, told which one failed).
   */
  onDependencyFailure?: string;
  /**
   * A task this one builds on (a dependency too): the worktree starts from its branch and the
   * prompt is given its result text. Not with base_ref.
   */
  continueFrom?: string;
  /**
   * Worker labels the task needs (at most 16, each 1-63 of letters, digits, ":", ".", "_", "-"):
   * it runs only on a worker that has every one. Stored lower-cased, without repeats, sorted.
   */
  requires?: string[];
  /**
   * A task id or a free key (at most 128 characters): the task prefers the worker that last ran
   * that task, or that last started a task with this key; after the coordinator's affinity wait
   * (CLAUDINE_AFFINITY_WAIT_MS) any worker with its labels may take it.
   */
  affinity?: string;
}

export interface TaskSpec__Output {
  prompt: string;
  /**
   * An absolute local path that the workers can reach, or a git URL (https, http, ssh, git, file, user@host:path).
   */
  repository: string;
  /**
   * Branch, tag or commit the task starts from. Empty: the repository's HEAD.
   */
  baseRef: string;
  /**
   * Relative path inside the repository where the agent starts.
   */
  workingDirectory: string;
  priority: _claudine_v1_Priority__Output;
  /**
   * 1,000 ms to 86,400,000 ms (24 h). 0 takes the default, 30 minutes.
   */
  timeoutMs: number;
  agent: _claudine_v1_AgentOptions__Output | null;
  labels: { [key: string]: string };
  /**
   * Tries in all, 1 to 10; 0 takes the default, 3. Only infrastructure failures are retried.
   */
  maxAttempts: number;
  /**
   * What happens to a completed task's work: branch (default: the branch stays; pushed for a URL
   * repository) | pr (pushed, and a pull request opened with gh) | auto (merged into the base
   * branch) | patch (a patch is kept, served by GetPatch) | none.
   */
  mergeStrategy: string;
  /**
   * What happens to the task's worktree: auto (removed after success, kept otherwise) | keep | delete.
   */
  worktreeCleanup: string;
  /**
   * Run the agent, then only report what would be committed and merged (diffstat, conflicts):
   * no branch is created, nothing is merged, and the worktree is removed.
   */
  dryRun: boolean;
  /**
   * Tasks that must finish first (at most 100; the chain above a task at most 100 deep).
   */
  dependsOn: string[];
  /**
   * When a dependency fails or is cancelled: fail (default: this task fails, reason
   * dependency_failed) | cancel | continue (it runs anyway, told which one failed).
   */
  onDependencyFailure: string;
  /**
   * A task this one builds on (a dependency too): the worktree starts from its branch and the
   * prompt is given its result text. Not with base_ref.
   */
  continueFrom: string;
  /**
   * Worker labels the task needs (at most 16, each 1-63 of letters, digits, ":", ".", "_", "-"):
   * it runs only on a worker that has every one. Stored lower-cased, without repeats, sorted.
   */
  requires: string[];
  /**
   * A task id or a free key (at most 128 characters): the task prefers the worker that last ran
   * that task, or that last started a task with this key; after the coordinator's affinity wait
   * (CLAUDINE_AFFINITY_WAIT_MS) any worker with its labels may take it.
   */
  affinity: string;
}
