import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGitRepository, createTempDir } from '../src';

describe('createGitRepository', () => {
  it('commits the given files on the given branch with a local identity', async () => {
    const repo = await createGitRepository({ files: { 'src/a.txt': 'A\n', 'b.md': 'B\n' }, branch: 'trunk' });
    try {
      expect(await repo.git('rev-parse', '--abbrev-ref', 'HEAD')).toBe('trunk');
      expect(await repo.git('status', '--porcelain')).toBe('');
      expect((await repo.git('ls-files')).split('\n')).toEqual(['b.md', 'src/a.txt']);
      expect(await repo.git('log', '-1', '--format=%an <%ae>')).toBe('Claudine Test <test@claudine.invalid>');
      expect(await readFile(join(repo.path, 'src/a.txt'), 'utf8')).toBe('A\n');
    } finally {
      await repo.remove();
    }
    await expect(access(repo.path)).rejects.toThrow();
  });

  it('defaults to a README on main, and git() rejects with stderr', async () => {
    const repo = await createGitRepository();
    try {
      expect(await repo.git('rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
      expect(await repo.git('ls-files')).toBe('README.md');
      await expect(repo.git('checkout', 'no-such-branch')).rejects.toThrow(/no-such-branch/);
    } finally {
      await repo.remove();
    }
  });

  it('refuses fixture paths that escape the repository', async () => {
    await expect(createGitRepository({ files: { '../escape.txt': 'x' } })).rejects.toThrow(
      /inside the repository/,
    );
  });
});

describe('createTempDir', () => {
  it('creates a directory that remove() deletes', async () => {
    const dir = await createTempDir('claudine-test-');
    await access(dir.path);
    await dir.remove();
    await expect(access(dir.path)).rejects.toThrow();
  });
});
