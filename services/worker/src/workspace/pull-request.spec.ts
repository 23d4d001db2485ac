import { pullRequestBody, pullRequestTitle, repositorySlug } from './pull-request';

describe('pull requests', () => {
  it.each([
    ['https://github.com/acme/web.git', 'github.com/acme/web'],
    ['https://github.com/acme/web', 'github.com/acme/web'],
    ['ssh://git@ghe.example.com/acme/web.git', 'ghe.example.com/acme/web'],
    ['git@github.com:acme/web.git', 'github.com/acme/web'],
    ['file:///srv/remotes/web.git', undefined],
    ['https://gitlab.example.com/group/sub/web.git', undefined],
  ])('tells gh the repository of %s', (url, slug) => {
    expect(repositorySlug(url)).toBe(slug);
  });

  it('titles a pull request with the first line of the prompt, shortened', () => {
    expect(pullRequestTitle('  fix the login bug\nit fails on Safari')).toBe('fix the login bug');
    expect(pullRequestTitle('x'.repeat(100))).toHaveLength(72);
  });

  it('describes the task: prompt, result, cost and changed files, bounded', () => {
    const files = Array.from({ length: 120 }, (_, i) => `src/file-${i}.ts`);
    const body = pullRequestBody({
      taskId: 'task-1',
      prompt: 'fix it',
      resultText: 'fixed',
      costUsd: 0.5,
      changedFiles: files,
    });
    expect(body).toContain('`task-1`');
    expect(body).toContain('## Prompt\n\nfix it');
    expect(body).toContain('## Result\n\nfixed');
    expect(body).toContain('$0.5000');
    expect(body).toContain('## Changed files (120)');
    expect(body).toContain('- `src/file-99.ts`');
    expect(body).not.toContain('src/file-100.ts');
    expect(body).toContain('…and 20 more');
  });
});
