import { createHash } from 'node:crypto';
import { mkdir, realpath, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError, classifyRepository, errorMessage, taskBranchName, type TaskSpec } from '@claudine/core';
import {
  assertRepositoryAllowed,
  git,
  GitError,
  gitOrFail,
  resolveCommit,
  resolveLocalBase,
} from '@claudine/git';
import { withFileLock } from './repository-lock';

export interface WorktreeManagerOptions {
  /** Worktrees go to `<dataDir>/worktrees/<task id>`, URL mirrors to `<dataDir>/mirrors/`. */
  dataDir: string;
  authorName: string;
  authorEmail: string;
  /** Local repositories (and file URLs) must lie under one of these; empty: anywhere. */
  repositoryRoots?: readonly string[];
  /** URL schemes accepted; absent: all the task schema accepts. */
  repositoryUrlSchemes?: readonly string[];
}

/** A task's prepared workspace. */
export interface TaskWorkspace {
  /** The repository that holds the task branch (the user's repository, or this worker's mirror). */
  repositoryPath: string;
  worktreePath: string;
  /** Where the agent starts: the worktree, or the task's working directory inside it. */
  cwd: string;
  branch: string;
  baseCommit: string;
}

export interface CommitOutcome {
  /** The branch head after committing (the base commit when nothing changed). */
  commit: string;
  changedFiles: string[];
  /** True when this call made a commit (the agent may also have committed itself). */
  committed: boolean;
}

/**
 * One git worktree per task on branch `claudine/<task id>`, made from the task's base ref.
 * Local repositories are used in place (the branch lands in the user's repository, and the
 * user's own working tree is never touched); URL repositories get a bare mirror per worker.
 */
export class WorktreeManager {
  private readonly repositoryLocks = new Map<string, Promise<unknown>>();
  private readonly commonDirs = new Map<string, string>();
  /** Worktree paths a task of this worker is using now: never removed by the collector. */
  private readonly inUse = new Set<string>();

  constructor(private readonly options: WorktreeManagerOptions) {}

  /**
   * The workspace of a task that continues an earlier one in the same session: the earlier
   * task's worktree path (a session resumes only from the same directory), on a new branch
   * `claudine/<task id>` made from the earlier task's branch.
   */
  async prepareContinuation(taskId: string, spec: TaskSpec, fromTaskId: string): Promise<TaskWorkspace> {
    return this.holding(this.worktreePathOf(fromTaskId), () => this.continueIn(taskId, spec, fromTaskId));
  }

  async prepare(taskId: string, spec: TaskSpec): Promise<TaskWorkspace> {
    return this.holding(this.worktreePathOf(taskId), () => this.create(taskId, spec));
  }

  /** `<dataDir>/worktrees/<task id>`. */
  worktreePathOf(taskId: string): string {
    return path.join(this.options.dataDir, 'worktrees', taskId);
  }

  /** Marks the worktree in use while it is prepared, and after unless preparing fails. */
  private async holding(worktreePath: string, prepare: () => Promise<TaskWorkspace>): Promise<TaskWorkspace> {
    this.inUse.add(worktreePath);
    try {
      return await prepare();
    } catch (error) {
      this.inUse.delete(worktreePath);
      throw error;
    }
  }

  private async continueIn(taskId: string, spec: TaskSpec, fromTaskId: string): Promise<TaskWorkspace> {
    const repositoryPath = await this.repositoryFor(spec.repository);
    const fromBranch = taskBranchName(fromTaskId);
    const baseCommit = await resolveCommit(repositoryPath, fromBranch);
    const branch = taskBranchName(taskId);
    const worktreePath = this.worktreePathOf(fromTaskId);
    await this.withWorktreeLock(repositoryPath, async () => {
      if (await exists(worktreePath)) {
        // Kept from the earlier task (it failed or was cancelled): its work is committed there.
        await gitOrFail(
          'WORKSPACE_FAILED',
          `could not switch ${worktreePath} to ${branch}`,
          ['checkout', '--quiet', '-B', branch, baseCommit],
          {
            cwd: worktreePath,
          },
        );
      } else {
        await gitOrFail(
          'WORKSPACE_FAILED',
          `could not recreate the worktree of ${fromTaskId}`,
          ['worktree', 'add', '--quiet', '--force', '-B', branch, worktreePath, baseCommit],
          { cwd: repositoryPath },
        );
      }
    });
    const cwd = await this.confine(worktreePath, spec.workingDirectory ?? '');
    return { repositoryPath, worktreePath, cwd, branch, baseCommit };
  }

  private async create(taskId: string, spec: TaskSpec): Promise<TaskWorkspace> {
    const repositoryPath = await this.repositoryFor(spec.repository);
    const baseCommit =
      classifyRepository(spec.repository).kind === 'path'
        ? await resolveLocalBase(repositoryPath, spec.baseRef ?? 'HEAD')
        : await this.resolveMirrorBase(repositoryPath, spec.baseRef);
    // A dry run makes no branch: its worktree is detached, and removed afterwards.
    const branch = spec.dryRun ? '' : taskBranchName(taskId);
    const worktreePath = this.worktreePathOf(taskId);
    await mkdir(path.dirname(worktreePath), { recursive: true });
    await this.withWorktreeLock(repositoryPath, async () => {
      if (spec.dryRun) {
        if (await exists(worktreePath)) await this.removeWorktree(repositoryPath, worktreePath);
        await gitOrFail(
          'WORKSPACE_FAILED',
          `could not create the worktree for ${taskId}`,
          ['worktree', 'add', '--quiet', '--force', '--detach', worktreePath, baseCommit],
          { cwd: repositoryPath },
        );
        return;
      }
      // A previous attempt of the same task may have left its worktree behind. Never
      // `git worktree prune` here: run by one worker process while another is half-way through
      // `worktree add` in the same repository, it deletes the other's new entry.
      if (await exists(worktreePath)) await this.removeWorktree(repositoryPath, worktreePath);
      try {
        await git(['worktree', 'add', '--quiet', '--force', '-B', branch, worktreePath, baseCommit], {
          cwd: repositoryPath,
        });
      } catch (error) {
        if (!(error instanceof GitError) || !/checked out at/.test(error.stderr)) {
          throw new AppError(
            'WORKSPACE_FAILED',
            `could not create the worktree for ${taskId}: ${errorMessage(error)}`,
            {
              cause: error,
            },
          );
        }
        // A dead attempt's worktree (this worker's or another's) still holds the branch, and git
        // will not move a branch checked out elsewhere: take it over explicitly.
        await gitOrFail(
          'WORKSPACE_FAILED',
          `could not create the worktree for ${taskId}`,
          ['worktree', 'add', '--quiet', '--force', '--detach', worktreePath, baseCommit],
          { cwd: repositoryPath },
        );
        await gitOrFail(
          'WORKSPACE_FAILED',
          `could not take over branch ${branch} for ${taskId}`,
          ['checkout', '--quiet', '--ignore-other-worktrees', '-B', branch, baseCommit],
          { cwd: worktreePath },
        );
      }
    });
    const cwd = await this.confine(worktreePath, spec.workingDirectory ?? '');
    return { repositoryPath, worktreePath, cwd, branch, baseCommit };
  }

  /**
   * Commits whatever the agent left uncommitted, attributed to the configured author; commits
   * the agent made itself are kept as they are. Returns the head and the files changed since base.
   */
  async commit(workspace: TaskWorkspace, taskId: string, prompt: string): Promise<CommitOutcome> {
    const cwd = workspace.worktreePath;
    await git(['add', '--all'], { cwd });
    const pending = await git(['status', '--porcelain'], { cwd });
    let committed = false;
    if (pending !== '') {
      const title = (prompt.trim().split('\n')[0] ?? '').slice(0, 72);
      await gitOrFail(
        'WORKSPACE_FAILED',
        `could not commit the changes of ${taskId}`,
        [
          '-c',
          `user.name=${this.options.authorName}`,
          '-c',
          `user.email=${this.options.authorEmail}`,
          'commit',
          '--quiet',
          '--no-verify',
          '--no-gpg-sign',
          '-m',
          `claudine: ${title}`,
          '-m',
          `Task: ${taskId}`,
        ],
        { cwd },
      );
      committed = true;
    }
    const commit = await git(['rev-parse', 'HEAD'], { cwd });
    const diff = await git(['diff', '--name-only', '-z', workspace.baseCommit, commit], { cwd });
    const changedFiles = diff.split('\0').filter((file) => file !== '');
    return { commit, changedFiles, committed };
  }

  /** The task is done with its worktree (kept or removed): the collector may take it from now on. */
  finishedWith(worktreePath: string): void {
    this.inUse.delete(worktreePath);
  }

  /** The worktrees of `<dataDir>/worktrees` that a running task uses. */
  worktreesInUse(): ReadonlySet<string> {
    return this.inUse;
  }

  /**
   * Removes a kept worktree unless a task uses it, checked under the same lock `prepare` takes:
   * a worktree cannot be collected while a task is being given it. The branch stays.
   * @returns false when the worktree is in use (nothing removed)
   */
  async removeIfIdle(worktreePath: string, repositoryPath: string | undefined): Promise<boolean> {
    if (this.inUse.has(worktreePath)) return false;
    if (repositoryPath === undefined || !(await exists(repositoryPath))) {
      // Its repository is gone: only the directory is left to delete.
      await rm(worktreePath, { recursive: true, force: true });
      return true;
    }
    return this.withWorktreeLock(repositoryPath, async () => {
      if (this.inUse.has(worktreePath)) return false;
      await this.removeWorktree(repositoryPath, worktreePath);
      return true;
    });
  }

  /** Removes the worktree; the branch (and so the work) stays in the repository. */
  async release(workspace: TaskWorkspace): Promise<void> {
    await this.withWorktreeLock(workspace.repositoryPath, () =>
      this.removeWorktree(workspace.repositoryPath, workspace.worktreePath),
    );
  }

  /** Removes one worktree and its registration only (see prepare: no prune). */
  private async removeWorktree(repositoryPath: string, worktreePath: string): Promise<void> {
    await git(['worktree', 'remove', '--force', '--force', worktreePath], { cwd: repositoryPath }).catch(() =>
      // Not a registered worktree any more: the directory alone is left; `worktree add --force` reclaims a stale entry.
      rm(worktreePath, { recursive: true, force: true }),
    );
  }

  private async repositoryFor(repository: string): Promise<string> {
    await assertRepositoryAllowed(repository, {
      roots: this.options.repositoryRoots ?? [],
      urlSchemes: this.options.repositoryUrlSchemes,
    });
    const location = classifyRepository(repository);
    if (location.kind === 'path') return location.path;
    const name = createHash('sha256').update(location.url).digest('hex').slice(0, 24);
    const mirror = path.join(this.options.dataDir, 'mirrors', `${name}.git`);
    await mkdir(path.dirname(mirror), { recursive: true });
    await this.withRepositoryLock(mirror, async () => {
      if (await exists(mirror)) {
        await gitOrFail(
          'REPOSITORY_NOT_FOUND',
          `could not fetch ${location.url}`,
          // Branches and tags, but never claudine/*: the task branches here are this worker's (some
          // checked out in kept worktrees, which git refuses to update), and the remote's copies
          // of them are what this worker pushed. No --prune: that would delete them too.
          [
            'fetch',
            '--quiet',
            'origin',
            '+refs/heads/*:refs/heads/*',
            '+refs/tags/*:refs/tags/*',
            '^refs/heads/claudine/*',
          ],
          {
            cwd: mirror,
          },
        );
      } else {
        await gitOrFail(
          'REPOSITORY_NOT_FOUND',
          `could not clone ${location.url}`,
          ['clone', '--mirror', '--quiet', '--end-of-options', location.url, mirror],
          { cwd: path.dirname(mirror) },
        );
      }
    });
    return mirror;
  }

  /**
   * The base commit in a URL repository's mirror. A task branch (`claudine/*`, which the regular
   * fetch leaves out) that another worker made and pushed is fetched on demand.
   */
  private async resolveMirrorBase(mirror: string, baseRef: string | undefined): Promise<string> {
    try {
      return await resolveCommit(mirror, baseRef ?? 'HEAD');
    } catch (error) {
      if (baseRef === undefined || !baseRef.startsWith('claudine/')) throw error;
      const ref = `refs/heads/${baseRef}`;
      const fetched = await this.withWorktreeLock(mirror, () =>
        git(['fetch', '--quiet', 'origin', `+${ref}:${ref}`], { cwd: mirror }).then(
          () => true,
          () => false,
        ),
      );
      if (!fetched) throw error;
      return resolveCommit(mirror, baseRef);
    }
  }

  /** The working directory inside the worktree, refusing anything (symlinks too) that leads out. */
  private async confine(worktreePath: string, workingDirectory: string): Promise<string> {
    const root = await realpath(worktreePath);
    if (workingDirectory === '') return root;
    const target = await realpath(path.join(root, workingDirectory)).catch(() => undefined);
    if (!target) {
      throw new AppError(
        'WORKING_DIRECTORY_INVALID',
        `workingDirectory: ${workingDirectory} does not exist at the base ref`,
      );
    }
    if (target !== root && !target.startsWith(`${root}${path.sep}`)) {
      throw new AppError(
        'WORKING_DIRECTORY_INVALID',
        `workingDirectory: ${workingDirectory} leads outside the repository`,
      );
    }
    return target;
  }

  /**
   * Runs a git command that reads every worktree of the repository (a fetch does) while no
   * worktree is being added or removed there: one half-made makes git fail ("bad object
   * worktrees/<x>/HEAD").
   */
  exclusive<T>(repositoryPath: string, action: () => Promise<T>): Promise<T> {
    return this.withWorktreeLock(repositoryPath, action);
  }

  /**
   * Adds and removes of worktrees go one at a time per repository, across this machine's worker
   * processes too (see repository-lock.ts).
   */
  private async withWorktreeLock<T>(repositoryPath: string, action: () => Promise<T>): Promise<T> {
    return this.withRepositoryLock(repositoryPath, async () => {
      let commonDir = this.commonDirs.get(repositoryPath);
      if (!commonDir) {
        commonDir = path.resolve(
          repositoryPath,
          await git(['rev-parse', '--git-common-dir'], { cwd: repositoryPath }),
        );
        this.commonDirs.set(repositoryPath, commonDir);
      }
      return withFileLock(path.join(commonDir, 'claudine-worktrees.lock'), action);
    });
  }

  /** Serialises this worker's git changes per repository (within this process). */
  private async withRepositoryLock<T>(repositoryPath: string, action: () => Promise<T>): Promise<T> {
    const previous = this.repositoryLocks.get(repositoryPath) ?? Promise.resolve();
    const next = previous.then(action, action);
    const settled = next.catch(() => undefined);
    this.repositoryLocks.set(repositoryPath, settled);
    try {
      return await next;
    } finally {
      if (this.repositoryLocks.get(repositoryPath) === settled) this.repositoryLocks.delete(repositoryPath);
    }
  }
}

function exists(target: string): Promise<boolean> {
  return stat(target).then(
    () => true,
    () => false,
  );
}
