import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError, classifyRepository, repositoryUrlScheme } from '@claudine/core';
import { git, GitError } from './git';

/**
 * Checks that a local path is a git repository and that it has the ref, and returns the
 * commit the ref names. `ref` defaults to HEAD. `--end-of-options` keeps a ref from ever
 * being read as an option.
 * @throws AppError REPOSITORY_NOT_FOUND, REPOSITORY_INVALID or BASE_REF_NOT_FOUND
 */
export async function resolveLocalBase(repositoryPath: string, ref = 'HEAD'): Promise<string> {
  const info = await stat(repositoryPath).catch(() => undefined);
  if (!info) {
    throw new AppError('REPOSITORY_NOT_FOUND', `repository: ${repositoryPath} does not exist`, {
      details: { fields: ['repository'] },
    });
  }
  if (!info.isDirectory()) {
    throw new AppError('REPOSITORY_INVALID', `repository: ${repositoryPath} is not a directory`, {
      details: { fields: ['repository'] },
    });
  }
  return resolveCommit(repositoryPath, ref);
}

/** The commit a ref names in a repository (a worktree, a clone or a bare mirror). */
export async function resolveCommit(repositoryPath: string, ref: string): Promise<string> {
  try {
    return await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], {
      cwd: repositoryPath,
    });
  } catch (error) {
    // One git call answers both questions (it sits on the path of every task): git exits 128
    // outside a repository, and 1 (quietly) when the ref is missing.
    if (error instanceof GitError && /not a git repository/i.test(error.stderr)) {
      throw new AppError('REPOSITORY_INVALID', `repository: ${repositoryPath} is not a git repository`, {
        cause: error,
        details: { fields: ['repository'] },
      });
    }
    const reason = ref === 'HEAD' ? 'has no commits yet' : `has no branch, tag or commit "${ref}"`;
    throw new AppError('BASE_REF_NOT_FOUND', `baseRef: ${repositoryPath} ${reason}`, {
      cause: error instanceof GitError ? error : undefined,
      details: { fields: ['baseRef'] },
    });
  }
}

/**
 * Refuses a local repository outside the roots this service accepts (symlinks resolved, so a
 * link cannot lead out). No roots: any path is accepted.
 * @throws AppError POLICY_REFUSED
 */
export async function assertWithinRoots(repositoryPath: string, roots: readonly string[]): Promise<void> {
  if (roots.length === 0) return;
  const real = await realpath(repositoryPath).catch(() => path.resolve(repositoryPath));
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => path.resolve(root));
    if (real === realRoot || real.startsWith(`${realRoot}${path.sep}`)) return;
  }
  throw new AppError(
    'POLICY_REFUSED',
    `repository: ${repositoryPath} is outside the repository roots this cluster accepts (${roots.join(', ')})`,
    { details: { fields: ['repository'] } },
  );
}

/** What repositories a service accepts: URL schemes, and roots for local paths (and file URLs). */
export interface RepositoryPolicy {
  /** Local repositories (and `file://` URLs) must lie under one of these; empty: anywhere. */
  roots: readonly string[];
  /** Allowed URL schemes (`ssh` covers `user@host:path`); absent: every scheme the schema accepts. */
  urlSchemes?: readonly string[];
}

/**
 * Refuses a repository this service does not accept, before anything is created: a URL whose
 * scheme is not allowed, or a path (a `file://` URL's too) outside the roots.
 * @throws AppError POLICY_REFUSED naming `repository`
 */
export async function assertRepositoryAllowed(repository: string, policy: RepositoryPolicy): Promise<void> {
  const location = classifyRepository(repository);
  if (location.kind === 'path') {
    await assertWithinRoots(location.path, policy.roots);
    return;
  }
  const scheme = repositoryUrlScheme(location.url);
  if (policy.urlSchemes && !policy.urlSchemes.includes(scheme)) {
    throw new AppError(
      'POLICY_REFUSED',
      `repository: the URL scheme "${scheme}" is not allowed here (allowed: ${policy.urlSchemes.join(', ') || 'none'})`,
      { details: { fields: ['repository'] } },
    );
  }
  if (scheme === 'file') await assertWithinRoots(fileURLToPath(location.url), policy.roots);
}
