import { realpathSync } from 'node:fs';
import path from 'node:path';
import { createBareRemote, createGitRepository, createTempDir, type GitFixture } from '@claudine/testing';
import { repositoryDefaults } from '../src/repository-defaults';

/** DelegateTask's defaults, from real repositories. */
describe('repositoryDefaults', () => {
  const cleanup: { remove(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const item of cleanup.splice(0)) await item.remove();
  });
  async function repository(): Promise<GitFixture> {
    const repo = await createGitRepository({ files: { 'src/a.txt': 'a\n' } });
    cleanup.push(repo);
    return repo;
  }

  it('is empty outside a git repository', async () => {
    const dir = await createTempDir('claudine-not-git-');
    cleanup.push(dir);
    expect(await repositoryDefaults(dir.path)).toEqual({});
  });

  it('names the toplevel and the current branch, from a subdirectory; no remote, so not pushed', async () => {
    const repo = await repository();
    await repo.git('checkout', '-q', '-b', 'feature/a');
    const commit = await repo.git('rev-parse', 'HEAD');
    expect(await repositoryDefaults(path.join(repo.path, 'src'))).toEqual({
      repository: realpathSync(repo.path),
      baseRef: 'feature/a',
      reachability: { commit, commitOnRemote: false },
    });
  });

  it('names the commit when HEAD is detached', async () => {
    const repo = await repository();
    const commit = await repo.git('rev-parse', 'HEAD');
    await repo.git('checkout', '-q', '--detach');
    expect((await repositoryDefaults(repo.path)).baseRef).toBe(commit);
  });

  it('tells a pushed commit from a local-only one', async () => {
    const source = await repository();
    const remote = await createBareRemote(source);
    cleanup.push(remote);
    const clone = await repository();
    await clone.git('remote', 'add', 'origin', remote.url);
    await clone.git('fetch', '-q', 'origin');
    await clone.git('checkout', '-q', '-B', 'main', 'origin/main');
    expect((await repositoryDefaults(clone.path)).reachability).toMatchObject({
      remoteName: 'origin',
      remoteUrl: remote.url,
      commitOnRemote: true,
    });
    await clone.git('commit', '-q', '--allow-empty', '-m', 'local');
    expect((await repositoryDefaults(clone.path)).reachability).toMatchObject({ commitOnRemote: false });
  });
});
