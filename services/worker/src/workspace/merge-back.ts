import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { classifyRepository, errorMessage, type MergeResult, type TaskSpec } from '@claudine/core';
import { git, GitError, gitToFile } from '@claudine/git';
import type { StoredPatch } from '@claudine/store';
import { createPullRequest, pullRequestBody, pullRequestTitle, repositorySlug } from './pull-request';
import type { TaskWorkspace } from './worktree-manager';

export interface MergeBackOptions {
  /** Patches go to `<dataDir>/patches/<task id>.patch`. */
  dataDir: string;
  authorName: string;
  authorEmail: string;
  /** The `gh` executable and leading arguments, for strategy `pr`. */
  ghCommand?: readonly string[];
  /**
   * Keeps a patch where the API can serve it (Redis); patches over `maxStoredPatchBytes` stay on
   * this worker's disk only.
   */
  savePatch?: (taskId: string, patch: StoredPatch) => Promise<void>;
  maxStoredPatchBytes?: number;
  /** Runs a fetch into a repository while no worktree of it is being added or removed. */
  exclusive?: <T>(repositoryPath: string, action: () => Promise<T>) => Promise<T>;
}

/** Everything a merge needs to know about the task that ran. */
export interface MergeRequest {
  taskId: string;
  spec: TaskSpec;
  workspace: TaskWorkspace;
  /** The task branch's head after committing. */
  head: string;
  /** Only a completed task is merged. */
  completed: boolean;
  /** For the pull request's body. */
  summary: { resultText: string; costUsd: number; changedFiles: readonly string[] };
}

/** How often a merge is recomputed when another merge moved the base branch first. */
const MAX_MERGE_ROUNDS = 8;
const DEFAULT_MAX_STORED_PATCH_BYTES = 10 * 1024 * 1024;

/**
 * Gives a completed task's work back the way its spec asks (`mergeStrategy`), without ever
 * losing work: a patch backup is written before any merge; the base branch moves only by
 * compare-and-swap (`update-ref <new> <old>` locally, `push --force-with-lease=<ref>:<old>` to a
 * remote), so concurrent merges never drop each other's commits; conflicts are found with
 * `git merge-tree --write-tree`, touching no working tree; and the user's checkout is never
 * changed when it holds uncommitted changes.
 *
 * For URL repositories the task branch lives in this worker's mirror: `branch`, `pr` and `auto`
 * push it to the repository's URL first, so the work is on the remote whatever happens next.
 */
export class MergeBack {
  constructor(private readonly options: MergeBackOptions) {}

  async finish(request: MergeRequest): Promise<MergeResult> {
    return withoutCredentials(await this.apply(request));
  }

  private async apply(request: MergeRequest): Promise<MergeResult> {
    const { taskId, spec, workspace, head, completed } = request;
    const strategy = spec.mergeStrategy;
    const base = { strategy, conflicts: [] as string[] };
    if (spec.dryRun) return this.preview(spec, workspace, head, completed);
    if (!completed) {
      return {
        ...base,
        outcome: 'skipped',
        detail: `the task did not complete: ${workspace.branch} and its worktree are kept`,
      };
    }
    switch (strategy) {
      case 'none':
        return { ...base, outcome: 'skipped', detail: 'merge strategy none' };
      case 'branch': {
        const url = remoteUrlOf(spec);
        if (!url) return { ...base, outcome: 'kept', detail: `the work is on ${workspace.branch}` };
        const pushed = await this.pushBranch(workspace, url);
        return pushed.ok
          ? {
              ...base,
              outcome: 'pushed',
              remote: url,
              pushed: true,
              detail: `pushed ${workspace.branch} to ${url}`,
            }
          : { ...base, outcome: 'refused', remote: url, pushed: false, detail: pushed.detail };
      }
      case 'pr':
        return this.openPullRequest(request);
      case 'patch': {
        const patch = await this.writePatch(taskId, workspace, head);
        return {
          ...base,
          outcome: 'patch',
          detail: `patch of ${workspace.branch}${patch.note}`,
          patchPath: patch.path,
        };
      }
      case 'auto':
        return remoteUrlOf(spec) ? this.mergeRemote(request) : this.merge(taskId, spec, workspace, head);
    }
  }

  /** `pr`: push the task branch, then `gh pr create`; without gh or credentials, pushed and why. */
  private async openPullRequest({ taskId, spec, workspace, summary }: MergeRequest): Promise<MergeResult> {
    const result = { strategy: 'pr' as const, conflicts: [] as string[] };
    const repo = workspace.repositoryPath;
    const url =
      remoteUrlOf(spec) ?? (await git(['remote', 'get-url', 'origin'], { cwd: repo }).catch(() => ''));
    if (!url) {
      return {
        ...result,
        outcome: 'refused',
        detail: `${spec.repository} has no remote "origin" to open a pull request on; the work is on ${workspace.branch}`,
      };
    }
    const baseBranch = await this.baseBranch(repo, spec.baseRef);
    if (!baseBranch) {
      return {
        ...result,
        outcome: 'refused',
        remote: url,
        detail: `the base ${spec.baseRef ?? 'HEAD'} is not a branch, so a pull request has nothing to target; the work is on ${workspace.branch}`,
      };
    }
    const pushed = await this.pushBranch(workspace, url);
    if (!pushed.ok)
      return { ...result, outcome: 'refused', remote: url, pushed: false, baseBranch, detail: pushed.detail };
    const opened = await createPullRequest({
      command: this.options.ghCommand ?? ['gh'],
      cwd: workspace.worktreePath,
      repo: repositorySlug(url),
      head: workspace.branch,
      base: baseBranch,
      title: pullRequestTitle(spec.prompt),
      body: pullRequestBody({
        taskId,
        prompt: spec.prompt,
        resultText: summary.resultText,
        costUsd: summary.costUsd,
        changedFiles: summary.changedFiles,
      }),
    });
    return opened.opened
      ? {
          ...result,
          outcome: 'pr_opened',
          remote: url,
          pushed: true,
          baseBranch,
          prUrl: opened.url,
          detail: `opened ${opened.url} from ${workspace.branch} into ${baseBranch}`,
        }
      : {
          ...result,
          outcome: 'pushed',
          remote: url,
          pushed: true,
          baseBranch,
          detail: `pushed ${workspace.branch} to ${url}, but no pull request was opened: ${opened.reason}`,
        };
  }

  /** Pushes the task branch to the remote URL (never a mirror push: the refspec names one branch). */
  private async pushBranch(
    workspace: TaskWorkspace,
    url: string,
  ): Promise<{ ok: true } | { ok: false; detail: string }> {
    const ref = `refs/heads/${workspace.branch}`;
    try {
      await git(['push', '--quiet', '--no-verify', '--force', '--end-of-options', url, `${ref}:${ref}`], {
        cwd: workspace.repositoryPath,
      });
      return { ok: true };
    } catch (error) {
      return {
        ok: false,
        detail: `could not push ${workspace.branch} to ${url} (${gitMessage(error)}); the work is on ${workspace.branch} in ${workspace.repositoryPath}`,
      };
    }
  }

  /**
   * `auto` for a URL repository: the task branch is pushed, then merged into the remote's base
   * branch by a push that only lands if the base is still where the merge was computed from
   * (`--force-with-lease=<ref>:<old>`); when another merge got there first, the base is fetched
   * again and the merge recomputed.
   */
  private async mergeRemote({ taskId, spec, workspace, head }: MergeRequest): Promise<MergeResult> {
    const url = remoteUrlOf(spec) ?? '';
    const result = { strategy: 'auto' as const, conflicts: [] as string[], remote: url };
    const repo = workspace.repositoryPath;
    const patch = await this.writePatch(taskId, workspace, head);
    const patchPath = patch.path;
    const pushed = await this.pushBranch(workspace, url);
    if (!pushed.ok) return { ...result, outcome: 'refused', pushed: false, patchPath, detail: pushed.detail };
    const baseBranch = await this.baseBranch(repo, spec.baseRef);
    if (!baseBranch) {
      return {
        ...result,
        outcome: 'refused',
        pushed: true,
        patchPath,
        detail: `the base ${spec.baseRef ?? 'HEAD'} is not a branch, so there is nothing to merge into; ${workspace.branch} was pushed to ${url}`,
      };
    }
    const baseRef = `refs/heads/${baseBranch}`;
    for (let round = 1; round <= MAX_MERGE_ROUNDS; round++) {
      try {
        const fetch = () =>
          git(['fetch', '--quiet', '--end-of-options', url, `+${baseRef}:${baseRef}`], { cwd: repo });
        await (this.options.exclusive ? this.options.exclusive(repo, fetch) : fetch());
      } catch (error) {
        return {
          ...result,
          outcome: 'refused',
          pushed: true,
          baseBranch,
          patchPath,
          detail: `could not fetch ${baseBranch} from ${url} (${gitMessage(error)}); nothing was merged, ${workspace.branch} was pushed`,
        };
      }
      const plan = await planRound(repo, baseRef, head);
      if (plan.kind !== 'merge') {
        return settledRound(
          plan,
          { ...result, pushed: true, baseBranch, patchPath },
          `${workspace.branch} conflicts with ${baseBranch}; nothing was merged and the branch was pushed to ${url}`,
        );
      }
      const { oldBase } = plan;
      const newBase = await this.mergeCommit(repo, taskId, spec, workspace, plan.tree, oldBase, head);
      try {
        await git(
          [
            'push',
            '--quiet',
            '--no-verify',
            `--force-with-lease=${baseRef}:${oldBase}`,
            '--end-of-options',
            url,
            `${newBase}:${baseRef}`,
          ],
          { cwd: repo },
        );
      } catch (error) {
        // Refused because the remote's base is no longer oldBase (another merge landed first):
        // fetch and recompute. Refused for any other reason (a protected branch, no permission):
        // say so, rather than retry what will fail again.
        const current = await git(['ls-remote', '--end-of-options', url, baseRef], { cwd: repo }).then(
          (out) => out.split('\t')[0] ?? '',
          () => '',
        );
        if (current !== '' && current !== oldBase) continue;
        return {
          ...result,
          outcome: 'refused',
          pushed: true,
          baseBranch,
          patchPath,
          detail: `${url} refused the merge into ${baseBranch} (${gitMessage(error)}); nothing was merged and ${workspace.branch} was pushed`,
        };
      }
      // The mirror's copy of the base follows at its next fetch (always under the lock).
      return {
        ...result,
        outcome: 'merged',
        pushed: true,
        baseBranch,
        mergedCommit: newBase,
        patchPath,
        detail: `merged into ${baseBranch} at ${url}`,
      };
    }
    return {
      ...result,
      outcome: 'refused',
      pushed: true,
      baseBranch,
      patchPath,
      detail: `${baseBranch} at ${url} kept moving; nothing was merged and ${workspace.branch} was pushed`,
    };
  }

  /** The new base: the task head itself when it fast-forwards, else a merge commit of the two. */
  private async mergeCommit(
    repo: string,
    taskId: string,
    spec: TaskSpec,
    workspace: TaskWorkspace,
    tree: string,
    oldBase: string,
    head: string,
  ): Promise<string> {
    if (await isAncestor(repo, oldBase, head)) return head;
    const title = (spec.prompt.trim().split('\n')[0] ?? '').slice(0, 60);
    return git(
      [
        'commit-tree',
        tree,
        '-p',
        oldBase,
        '-p',
        head,
        '-m',
        `Merge ${workspace.branch}: ${title}`,
        '-m',
        `Task: ${taskId}`,
      ],
      { cwd: repo, env: this.identity() },
    );
  }

  /** What a real run would commit and merge, changing nothing (the commit is an unreferenced object). */
  private async preview(
    spec: TaskSpec,
    workspace: TaskWorkspace,
    head: string,
    completed: boolean,
  ): Promise<MergeResult> {
    const repo = workspace.repositoryPath;
    const diffstat = await git(['diff', '--stat', workspace.baseCommit, head], { cwd: repo });
    const result = {
      strategy: spec.mergeStrategy,
      outcome: 'dry_run' as const,
      diffstat,
      conflicts: [] as string[],
    };
    if (!completed)
      return { ...result, detail: 'dry run: the task did not complete, so nothing would be merged' };
    if (spec.mergeStrategy !== 'auto') {
      return {
        ...result,
        detail: `dry run: nothing changed; a real run would ${DRY_RUN_WOULD[spec.mergeStrategy]}`,
      };
    }
    // A URL repository's mirror was fetched when the task started: its base is that recent.
    const baseBranch = await this.baseBranch(repo, spec.baseRef);
    if (!baseBranch)
      return { ...result, detail: 'dry run: a real run could not auto-merge (no local base branch)' };
    const current = await git(['rev-parse', '--verify', `refs/heads/${baseBranch}`], { cwd: repo });
    const tree = await mergeTree(repo, current, head);
    return {
      ...result,
      baseBranch,
      conflicts: tree.conflicts,
      detail:
        tree.conflicts.length > 0
          ? `dry run: merging into ${baseBranch} would conflict in ${tree.conflicts.join(', ')}`
          : `dry run: the work would merge cleanly into ${baseBranch}`,
    };
  }

  /**
   * `git format-patch` of the task's commits, written to this worker's disk and kept where the API
   * serves it. `note` says when it is too large for that.
   */
  private async writePatch(
    taskId: string,
    workspace: TaskWorkspace,
    head: string,
  ): Promise<{ path: string; note: string }> {
    const patchPath = path.join(this.options.dataDir, 'patches', `${taskId}.patch`);
    await mkdir(path.dirname(patchPath), { recursive: true });
    // Straight to the file: a patch may be large, or not UTF-8.
    await gitToFile(['format-patch', '--stdout', `${workspace.baseCommit}..${head}`], patchPath, {
      cwd: workspace.repositoryPath,
    });
    const limit = this.options.maxStoredPatchBytes ?? DEFAULT_MAX_STORED_PATCH_BYTES;
    if (!this.options.savePatch) return { path: patchPath, note: '' };
    const size = (await stat(patchPath)).size;
    if (size > limit) {
      return {
        path: patchPath,
        note: ` (${size} bytes: over the ${limit}-byte limit for download through the API; it stays at ${patchPath} on this worker)`,
      };
    }
    const patch = await readFile(patchPath);
    await this.options.savePatch(taskId, { patch, baseCommit: workspace.baseCommit, headCommit: head });
    return { path: patchPath, note: '' };
  }

  private async merge(
    taskId: string,
    spec: TaskSpec,
    workspace: TaskWorkspace,
    head: string,
  ): Promise<MergeResult> {
    const result = { strategy: 'auto' as const, conflicts: [] as string[] };
    const repo = workspace.repositoryPath;
    const patchPath = (await this.writePatch(taskId, workspace, head)).path;
    const baseBranch = await this.baseBranch(repo, spec.baseRef);
    if (!baseBranch) {
      return {
        ...result,
        outcome: 'refused',
        patchPath,
        detail: `the base ${spec.baseRef ?? 'HEAD'} is not a branch, so there is nothing to merge into; the work is on ${workspace.branch}`,
      };
    }
    const baseRef = `refs/heads/${baseBranch}`;
    const checkout = await this.checkoutOf(repo, baseRef);
    for (let round = 1; round <= MAX_MERGE_ROUNDS; round++) {
      const plan = await planRound(repo, baseRef, head);
      if (plan.kind !== 'merge') {
        return settledRound(
          plan,
          { ...result, baseBranch, patchPath },
          `${workspace.branch} conflicts with ${baseBranch}; nothing was merged and the branch is kept`,
        );
      }
      const { oldBase } = plan;
      if (
        checkout &&
        (await git(['status', '--porcelain', '--untracked-files=no'], { cwd: checkout })) !== ''
      ) {
        return {
          ...result,
          outcome: 'refused',
          baseBranch,
          patchPath,
          detail: `${baseBranch} is checked out at ${checkout} with uncommitted changes, which auto never touches; commit or stash them and merge ${workspace.branch} yourself`,
        };
      }
      const newBase = await this.mergeCommit(repo, taskId, spec, workspace, plan.tree, oldBase, head);
      try {
        await git(['update-ref', '-m', `claudine: merge ${taskId}`, baseRef, newBase, oldBase], {
          cwd: repo,
        });
      } catch (error) {
        // Another merge moved the base first: recompute against its new head.
        if (error instanceof GitError) continue;
        throw error;
      }
      if (checkout) {
        // The base is checked out, with no uncommitted changes: bring its index and files from
        // the old head to the new one, as a checkout would (a two-tree read-tree), which refuses
        // rather than overwrite anything changed since; then the ref moves back.
        try {
          await git(['read-tree', '-m', '-u', oldBase, newBase], { cwd: checkout });
        } catch (error) {
          // Compare-and-swap again: if another merge moved the base since, it stays (with ours in it).
          const rolledBack = await git(
            ['update-ref', '-m', `claudine: roll back ${taskId}`, baseRef, oldBase, newBase],
            {
              cwd: repo,
            },
          ).then(
            () => true,
            () => false,
          );
          return {
            ...result,
            outcome: 'refused',
            baseBranch,
            patchPath,
            detail: rolledBack
              ? `could not update the checkout of ${baseBranch} at ${checkout} (${errorMessage(error)}); the merge was rolled back`
              : `could not update the checkout of ${baseBranch} at ${checkout} (${errorMessage(error)}); ${baseBranch} moved again meanwhile, so the merge was not rolled back`,
          };
        }
      }
      return {
        ...result,
        outcome: 'merged',
        baseBranch,
        mergedCommit: newBase,
        patchPath,
        detail: `merged into ${baseBranch}`,
      };
    }
    return {
      ...result,
      outcome: 'refused',
      baseBranch,
      patchPath,
      detail: `${baseBranch} kept moving; nothing was merged`,
    };
  }

  /** The branch to merge into: the base ref when it names a branch, or the branch HEAD is on. */
  private async baseBranch(repo: string, baseRef: string | undefined): Promise<string | undefined> {
    if (baseRef === undefined || baseRef === 'HEAD') {
      const symbolic = await git(['symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd: repo }).catch(
        () => '',
      );
      return symbolic || undefined;
    }
    const name = baseRef.replace(/^refs\/heads\//, '');
    const exists = await git(['rev-parse', '--verify', '--quiet', `refs/heads/${name}`], { cwd: repo }).then(
      () => true,
      () => false,
    );
    return exists ? name : undefined;
  }

  /** The worktree (the user's main checkout or another) that has this branch checked out, if any. */
  private async checkoutOf(repo: string, ref: string): Promise<string | undefined> {
    const list = await git(['worktree', 'list', '--porcelain'], { cwd: repo });
    let current: string | undefined;
    for (const line of list.split('\n')) {
      if (line.startsWith('worktree ')) current = line.slice('worktree '.length);
      else if (line === `branch ${ref}`) return current;
    }
    return undefined;
  }

  private identity(): Record<string, string> {
    const { authorName, authorEmail } = this.options;
    return {
      GIT_AUTHOR_NAME: authorName,
      GIT_AUTHOR_EMAIL: authorEmail,
      GIT_COMMITTER_NAME: authorName,
      GIT_COMMITTER_EMAIL: authorEmail,
    };
  }
}

const DRY_RUN_WOULD: Readonly<Record<Exclude<TaskSpec['mergeStrategy'], 'auto'>, string>> = {
  branch: 'keep the work on its branch (pushed, for a URL repository)',
  pr: 'push the branch and open a pull request',
  patch: 'write a patch',
  none: 'do nothing more',
};

/** The URL to push to, for a task on a URL repository; undefined for a local one. */
function remoteUrlOf(spec: TaskSpec): string | undefined {
  const location = classifyRepository(spec.repository);
  return location.kind === 'url' ? location.url : undefined;
}

/** `scheme://user:token@host` → `scheme://***@host`: a result is readable by every API caller. */
function withoutCredentials(result: MergeResult): MergeResult {
  const redact = (text: string) => text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@\s]+@/g, '$1***@');
  return {
    ...result,
    detail: redact(result.detail),
    remote: result.remote === undefined ? undefined : redact(result.remote),
  };
}

function gitMessage(error: unknown): string {
  return (error instanceof GitError ? error.stderr.trim() : '') || errorMessage(error);
}

/** One round of a merge against the base branch's head now. */
type RoundPlan =
  | { kind: 'already'; oldBase: string }
  | { kind: 'conflict'; oldBase: string; conflicts: string[] }
  | { kind: 'merge'; oldBase: string; tree: string };

async function planRound(repo: string, baseRef: string, head: string): Promise<RoundPlan> {
  const oldBase = await git(['rev-parse', '--verify', baseRef], { cwd: repo });
  if (await isAncestor(repo, head, oldBase)) return { kind: 'already', oldBase };
  const tree = await mergeTree(repo, oldBase, head);
  if (tree.conflicts.length > 0) return { kind: 'conflict', oldBase, conflicts: tree.conflicts };
  return { kind: 'merge', oldBase, tree: tree.tree };
}

/** The result of a round that ends the merge: the work is already on the base, or conflicts. */
function settledRound(
  plan: Exclude<RoundPlan, { kind: 'merge' }>,
  fields: Omit<MergeResult, 'outcome' | 'detail'>,
  conflictDetail: string,
): MergeResult {
  return plan.kind === 'already'
    ? { ...fields, outcome: 'merged', mergedCommit: plan.oldBase, detail: 'already on the base branch' }
    : { ...fields, outcome: 'conflict', conflicts: plan.conflicts, detail: conflictDetail };
}

async function isAncestor(repo: string, ancestor: string, descendant: string): Promise<boolean> {
  return git(['merge-base', '--is-ancestor', ancestor, descendant], { cwd: repo }).then(
    () => true,
    () => false,
  );
}

/** `git merge-tree --write-tree`: the merged tree, or the conflicting paths, without a working tree. */
async function mergeTree(
  repo: string,
  ours: string,
  theirs: string,
): Promise<{ tree: string; conflicts: string[] }> {
  try {
    const out = await git(['merge-tree', '--write-tree', '--name-only', '--no-messages', ours, theirs], {
      cwd: repo,
    });
    return { tree: out.split('\n')[0] ?? '', conflicts: [] };
  } catch (error) {
    // Exit 1 means conflicts: the tree, then the conflicting paths, are on stdout.
    if (error instanceof GitError && error.exitCode === 1 && error.stdout) {
      const [tree = '', ...paths] = error.stdout.trim().split('\n');
      return { tree, conflicts: [...new Set(paths.filter((p) => p !== ''))] };
    }
    throw error;
  }
}
