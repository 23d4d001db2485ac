import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { classifyRepository, errorMessage, type MergeResult, type TaskSpec } from '@claudine/core';
import { git, GitError } from '@claudine/git';
import type { TaskWorkspace } from './worktree-manager';

export interface MergeBackOptions {
  /** Patches go to `<dataDir>/patches/<task id>.patch`. */
  dataDir: string;
  authorName: string;
  authorEmail: string;
}

/** How often a merge is recomputed when another merge moved the base branch first. */
const MAX_MERGE_ROUNDS = 8;

/**
 * Gives a completed task's work back the way its spec asks (`mergeStrategy`), without ever
 * losing work: a patch backup is written before any merge; the base branch moves only by
 * compare-and-swap (`update-ref <new> <old>`), so concurrent merges never drop each other's
 * commits; conflicts are found with `git merge-tree --write-tree`, touching no working tree; and
 * the user's checkout is never changed when it holds uncommitted changes.
 */
export class MergeBack {
  constructor(private readonly options: MergeBackOptions) {}

  async finish(
    taskId: string,
    spec: TaskSpec,
    workspace: TaskWorkspace,
    head: string,
    completed: boolean,
  ): Promise<MergeResult> {
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
      case 'branch':
        return { ...base, outcome: 'kept', detail: `the work is on ${workspace.branch}` };
      case 'patch': {
        const patchPath = await this.writePatch(taskId, workspace, head);
        return { ...base, outcome: 'patch', detail: `patch of ${workspace.branch}`, patchPath };
      }
      case 'auto':
        return this.merge(taskId, spec, workspace, head);
    }
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
        detail: `dry run: nothing changed; a real run would ${spec.mergeStrategy === 'patch' ? 'write a patch' : spec.mergeStrategy === 'none' ? 'do nothing more' : 'keep the work on its branch'}`,
      };
    }
    const baseBranch =
      classifyRepository(spec.repository).kind === 'path'
        ? await this.baseBranch(repo, spec.baseRef)
        : undefined;
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

  private async writePatch(taskId: string, workspace: TaskWorkspace, head: string): Promise<string> {
    const patch = await git(['format-patch', '--stdout', `${workspace.baseCommit}..${head}`], {
      cwd: workspace.repositoryPath,
    });
    const patchPath = path.join(this.options.dataDir, 'patches', `${taskId}.patch`);
    await mkdir(path.dirname(patchPath), { recursive: true });
    await writeFile(patchPath, patch.length > 0 ? `${patch}\n` : '');
    return patchPath;
  }

  private async merge(
    taskId: string,
    spec: TaskSpec,
    workspace: TaskWorkspace,
    head: string,
  ): Promise<MergeResult> {
    const result = { strategy: 'auto' as const, conflicts: [] as string[] };
    const repo = workspace.repositoryPath;
    if (classifyRepository(spec.repository).kind !== 'path') {
      return {
        ...result,
        outcome: 'refused',
        detail: `auto merges into local repositories only for now; the work is on ${workspace.branch}`,
      };
    }
    const patchPath = await this.writePatch(taskId, workspace, head);
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
      const oldBase = await git(['rev-parse', '--verify', baseRef], { cwd: repo });
      if (await isAncestor(repo, head, oldBase)) {
        return {
          ...result,
          outcome: 'merged',
          baseBranch,
          mergedCommit: oldBase,
          patchPath,
          detail: 'already on the base branch',
        };
      }
      const tree = await mergeTree(repo, oldBase, head);
      if (tree.conflicts.length > 0) {
        return {
          ...result,
          outcome: 'conflict',
          baseBranch,
          conflicts: tree.conflicts,
          patchPath,
          detail: `${workspace.branch} conflicts with ${baseBranch}; nothing was merged and the branch is kept`,
        };
      }
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
      const title = (spec.prompt.trim().split('\n')[0] ?? '').slice(0, 60);
      const newBase = (await isAncestor(repo, oldBase, head))
        ? head
        : await git(
            [
              'commit-tree',
              tree.tree,
              '-p',
              oldBase,
              '-p',
              head,
              '-m',
              `Merge ${workspace.branch}: ${title}`,
            ],
            {
              cwd: repo,
              env: this.identity(),
            },
          );
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
