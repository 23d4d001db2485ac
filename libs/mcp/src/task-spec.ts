import { AppError } from '@claudine/core';
import { priorityToProto, type ProtoTaskSpec } from '@claudine/proto';
import type { TaskFields } from './schemas';

/**
 * What the server knows of the lead session's repository, for DelegateTask and ScheduleTask
 * calls that name none. The stdio gateway computes it from its working directory; the
 * coordinator's /mcp endpoint has none.
 */
export interface McpDefaults {
  /** The repository to use when the input names none: the toplevel of the gateway's git repository. */
  repository?: string;
  /** Its base then: the current branch, or the commit when HEAD is detached. */
  baseRef?: string;
  /** How workers elsewhere could reach that repository. */
  reachability?: RepositoryReachability;
}

export interface RepositoryReachability {
  /** The remote a worker could clone instead (origin, else the first), when there is one. */
  remoteName?: string;
  remoteUrl?: string;
  /** The commit the base names. */
  commit: string;
  /** Whether that commit is on a remote-tracking branch of `remoteName`, i.e. it was pushed. */
  commitOnRemote: boolean;
}

/** Where a delegation's repository and base came from, for the advice an error may need. */
export interface ResolvedRepository {
  repository: string;
  baseRef?: string;
  /** The repository came from the defaults (the gateway's git repository). */
  defaulted: boolean;
}

/**
 * The repository and base of a new task: as given, else the defaults. A delegation to the
 * repository's remote URL from a branch whose commit was never pushed is refused here, since
 * the workers would clone the URL and start from an older commit or not find the branch.
 * @throws AppError INVALID_ARGUMENT saying what to give, or how to make the commit reachable
 */
export function resolveRepository(fields: TaskFields, defaults: McpDefaults): ResolvedRepository {
  const baseOf = (given: string | undefined): string | undefined =>
    given ?? (fields.continueFrom === undefined ? defaults.baseRef : undefined);
  if (fields.repository === undefined) {
    if (defaults.repository === undefined)
      throw new AppError(
        'INVALID_ARGUMENT',
        'repository: is required here (the Claudine MCP server was not started inside a git repository). ' +
          'Give an absolute path the workers can reach, or a git URL.',
        { details: { fields: ['repository'] } },
      );
    return { repository: defaults.repository, baseRef: baseOf(fields.baseRef), defaulted: true };
  }
  const reach = defaults.reachability;
  if (
    reach?.remoteUrl !== undefined &&
    sameRepositoryUrl(fields.repository, reach.remoteUrl) &&
    fields.baseRef === undefined &&
    fields.continueFrom === undefined &&
    defaults.baseRef !== undefined
  ) {
    if (!reach.commitOnRemote) throw notPushed(defaults, reach, fields.repository);
    return { repository: fields.repository, baseRef: defaults.baseRef, defaulted: false };
  }
  return { repository: fields.repository, baseRef: fields.baseRef, defaulted: false };
}

function sameRepositoryUrl(a: string, b: string): boolean {
  const norm = (url: string) =>
    url
      .trim()
      .replace(/\/+$/, '')
      .replace(/\.git$/, '');
  return norm(a) === norm(b);
}

function notPushed(defaults: McpDefaults, reach: RepositoryReachability, url: string): AppError {
  const branch = defaults.baseRef ?? reach.commit;
  const remote = reach.remoteName ?? 'origin';
  return new AppError(
    'INVALID_ARGUMENT',
    `baseRef: ${branch} (commit ${reach.commit.slice(0, 12)}) exists only in your local clone; the workers clone ${url} and would not find it. ` +
      `Fix: push it (git push -u ${remote} ${branch}) and call again, or give baseRef of a branch that is pushed` +
      (defaults.repository
        ? `, or give repository "${defaults.repository}" if the workers share this filesystem (a shared mount within the cluster's CLAUDINE_REPOSITORY_ROOTS).`
        : '.'),
    { details: { fields: ['baseRef'] } },
  );
}

/**
 * The advice for a repository the coordinator (which sees paths as the workers do) could not
 * find or may not use: push and delegate the URL, or share the path.
 */
export function unreachableRepositoryHint(resolved: ResolvedRepository, defaults: McpDefaults): string {
  const reach = defaults.reachability;
  const branch = resolved.baseRef ?? defaults.baseRef;
  const viaUrl =
    reach?.remoteUrl !== undefined
      ? `push your branch (git push -u ${reach.remoteName ?? 'origin'} ${branch ?? 'HEAD'}) and delegate with repository "${reach.remoteUrl}"${branch ? ` and baseRef "${branch}"` : ''}`
      : 'push your work to a git remote the workers can clone and delegate with its URL as repository';
  return (
    `The workers cannot reach ${resolved.repository} (the coordinator checks local paths as the workers see them). Fix: ` +
    `${viaUrl}; or configure a shared path: put the repository on a mount every worker and the coordinator share, ` +
    'within the cluster’s CLAUDINE_REPOSITORY_ROOTS.'
  );
}

/** The wire spec of a task from a tool's input, the repository resolved. Empty/0 take the cluster's defaults. */
export function protoSpecFrom(fields: TaskFields, resolved: ResolvedRepository): ProtoTaskSpec {
  return {
    prompt: fields.prompt,
    repository: resolved.repository,
    baseRef: resolved.baseRef ?? '',
    workingDirectory: fields.workingDirectory ?? '',
    priority: priorityToProto(fields.priority ?? 'P2'),
    timeoutMs: fields.timeout ?? 0,
    agent: {
      model: fields.model ?? '',
      permissionMode: fields.permissionMode ?? '',
      allowedTools: fields.allowedTools ?? [],
      maxTurns: fields.maxTurns ?? 0,
      appendSystemPrompt: fields.appendSystemPrompt ?? '',
      maxBudgetUsd: fields.maxBudgetUsd ?? 0,
    },
    labels: fields.labels ?? {},
    maxAttempts: fields.maxAttempts ?? 0,
    mergeStrategy: fields.mergeStrategy ?? '',
    worktreeCleanup: fields.worktreeCleanup ?? '',
    dryRun: fields.dryRun ?? false,
    dependsOn: fields.dependsOn ?? [],
    onDependencyFailure: fields.onDependencyFailure ?? '',
    continueFrom: fields.continueFrom ?? '',
    requires: fields.requires ?? [],
    affinity: fields.affinity ?? '',
  };
}
