import { AppError } from '@claudine/core';
import { createGitRepository, createTempDir, type GitFixture } from '@claudine/testing';
import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { assertWithinRoots, resolveCommit, resolveLocalBase } from '../src/repository-checks';

describe('repository checks', () => {
  let repo: GitFixture;
  beforeAll(async () => {
    repo = await createGitRepository();
    await repo.git('tag', 'v1');
  });
  afterAll(async () => {
    await repo.remove();
  });

  it('resolves HEAD, a branch and a tag to the commit', async () => {
    const head = await repo.git('rev-parse', 'HEAD');
    expect(await resolveLocalBase(repo.path)).toBe(head);
    expect(await resolveLocalBase(repo.path, 'main')).toBe(head);
    expect(await resolveCommit(repo.path, 'v1')).toBe(head);
  });

  it.each([
    ['a missing path', () => '/nonexistent/claudine', undefined, 'REPOSITORY_NOT_FOUND'],
    ['a missing ref', () => repo.path, 'nope', 'BASE_REF_NOT_FOUND'],
    ['a ref that reads as an option', () => repo.path, '--all', 'BASE_REF_NOT_FOUND'],
  ])('refuses %s', async (_name, where, ref, code) => {
    const error = await resolveLocalBase(where(), ref).catch((e: unknown) => e);
    expect(AppError.is(error, code as never)).toBe(true);
  });

  it('refuses a directory that is not a repository', async () => {
    const dir = await createTempDir('claudine-not-git-');
    try {
      await expect(resolveLocalBase(dir.path)).rejects.toMatchObject({ code: 'REPOSITORY_INVALID' });
    } finally {
      await dir.remove();
    }
  });

  it('accepts repositories under an allowed root only, symlinks resolved', async () => {
    const root = await createTempDir('claudine-root-');
    try {
      await expect(assertWithinRoots(repo.path, [])).resolves.toBeUndefined();
      await expect(assertWithinRoots(repo.path, [path.dirname(repo.path)])).resolves.toBeUndefined();
      await expect(assertWithinRoots(repo.path, [root.path])).rejects.toMatchObject({
        code: 'POLICY_REFUSED',
      });
      // A link inside the root that leads to the repository outside it is still outside.
      const link = path.join(root.path, 'sneaky');
      await symlink(repo.path, link);
      await expect(assertWithinRoots(link, [root.path])).rejects.toMatchObject({ code: 'POLICY_REFUSED' });
      await expect(
        assertWithinRoots(path.join(root.path, '..', path.basename(repo.path)), [root.path]),
      ).rejects.toMatchObject({
        code: 'POLICY_REFUSED',
      });
    } finally {
      await root.remove();
    }
  });
});
