// Original file: proto/claudine/v1/tasks.proto

/**
 * What became of a task's work after it ran.
 */
export interface MergeResult {
  strategy?: string;
  /**
   * kept | pushed | pr_opened | merged | conflict | refused | patch | skipped | dry_run
   */
  outcome?: string;
  detail?: string;
  /**
   * The base branch and its new head, for a merge.
   */
  baseBranch?: string;
  mergedCommit?: string;
  conflicts?: string[];
  /**
   * A patch of the task's changes on the worker's disk (patch strategy, and a backup before any
   * merge); GetPatch serves it when it was small enough to keep in Redis.
   */
  patchPath?: string;
  /**
   * `git diff --stat` of the task's changes, in a dry run.
   */
  diffstat?: string;
  /**
   * The remote the task branch was pushed to (URL repositories, and `pr`).
   */
  remote?: string;
  /**
   * True when the task branch was pushed to `remote`.
   */
  pushed?: boolean;
  /**
   * The pull request opened by strategy `pr`.
   */
  prUrl?: string;
}

/**
 * What became of a task's work after it ran.
 */
export interface MergeResult__Output {
  strategy: string;
  /**
   * kept | pushed | pr_opened | merged | conflict | refused | patch | skipped | dry_run
   */
  outcome: string;
  detail: string;
  /**
   * The base branch and its new head, for a merge.
   */
  baseBranch: string;
  mergedCommit: string;
  conflicts: string[];
  /**
   * A patch of the task's changes on the worker's disk (patch strategy, and a backup before any
   * merge); GetPatch serves it when it was small enough to keep in Redis.
   */
  patchPath: string;
  /**
   * `git diff --stat` of the task's changes, in a dry run.
   */
  diffstat: string;
  /**
   * The remote the task branch was pushed to (URL repositories, and `pr`).
   */
  remote: string;
  /**
   * True when the task branch was pushed to `remote`.
   */
  pushed: boolean;
  /**
   * The pull request opened by strategy `pr`.
   */
  prUrl: string;
}
