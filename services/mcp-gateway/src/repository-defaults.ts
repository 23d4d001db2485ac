import { execFile } from 'node:child_process';
import type { McpDefaults } from '@claudine/mcp';

/** One git command in `cwd`; undefined when it fails (not a repository, no commit, no remote). */
function git(cwd: string, ...args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['-C', cwd, ...args], { timeout: 10_000, encoding: 'utf8' }, (error, stdout) =>
      resolve(error ? undefined : stdout.trim()),
    );
  });
}

/**
 * The lead session's repository, as DelegateTask's default: the toplevel of the git repository
 * of `cwd`, its current branch (the commit when HEAD is detached), and whether that commit was
 * pushed to its remote (origin, else the first). Empty outside a git repository.
 */
export async function repositoryDefaults(cwd: string): Promise<McpDefaults> {
  const repository = await git(cwd, 'rev-parse', '--show-toplevel');
  if (!repository) return {};
  const commit = await git(cwd, 'rev-parse', '--verify', '-q', 'HEAD');
  if (!commit) return { repository };
  const branch = await git(cwd, 'symbolic-ref', '--short', '-q', 'HEAD');
  const remotes = (await git(cwd, 'remote'))?.split('\n').filter(Boolean) ?? [];
  const remoteName = remotes.includes('origin') ? 'origin' : remotes[0];
  const remoteUrl = remoteName ? await git(cwd, 'remote', 'get-url', remoteName) : undefined;
  const containing = remoteName
    ? await git(cwd, 'branch', '-r', '--contains', commit, '--list', `${remoteName}/*`)
    : undefined;
  return {
    repository,
    baseRef: branch || commit,
    reachability: {
      ...(remoteName && remoteUrl ? { remoteName, remoteUrl } : {}),
      commit,
      commitOnRemote: Boolean(containing),
    },
  };
}
