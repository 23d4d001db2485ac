import { AppError } from '@claudine/core';
import { resolveRepository, type McpDefaults } from './task-spec';

const TASK = 'task-0b6f3c1e-8d2a-4c55-9e0f-1a2b3c4d5e6f';
const URL = 'https://git.example.com/team/app.git';

const pushed: McpDefaults = {
  repository: '/home/lead/app',
  baseRef: 'feature/x',
  reachability: { remoteName: 'origin', remoteUrl: URL, commit: 'a'.repeat(40), commitOnRemote: true },
};
const localOnly: McpDefaults = {
  ...pushed,
  reachability: { ...pushed.reachability!, commitOnRemote: false },
};

describe('resolveRepository', () => {
  it('defaults to the gateway repository and its branch', () => {
    expect(resolveRepository({ prompt: 'p' }, pushed)).toEqual({
      repository: '/home/lead/app',
      baseRef: 'feature/x',
      defaulted: true,
    });
  });

  it('keeps a given base, and gives none with continueFrom', () => {
    expect(resolveRepository({ prompt: 'p', baseRef: 'main' }, pushed).baseRef).toBe('main');
    expect(resolveRepository({ prompt: 'p', continueFrom: TASK }, pushed).baseRef).toBeUndefined();
  });

  it('asks for a repository when it has no default', () => {
    expect(() => resolveRepository({ prompt: 'p' }, {})).toThrow(/repository: is required here/);
  });

  it('takes the current branch for the remote URL when it was pushed, and refuses it when not', () => {
    expect(resolveRepository({ prompt: 'p', repository: `${URL.replace(/\.git$/, '')}/` }, pushed)).toEqual({
      repository: `${URL.replace(/\.git$/, '')}/`,
      baseRef: 'feature/x',
      defaulted: false,
    });
    let error: unknown;
    try {
      resolveRepository({ prompt: 'p', repository: URL }, localOnly);
    } catch (caught) {
      error = caught;
    }
    expect(AppError.is(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as AppError).message).toMatch(
      /exists only in your local clone.*git push -u origin feature\/x/,
    );
    // An explicit base is the caller's choice.
    expect(resolveRepository({ prompt: 'p', repository: URL, baseRef: 'main' }, localOnly).baseRef).toBe(
      'main',
    );
  });

  it('leaves another repository alone', () => {
    expect(resolveRepository({ prompt: 'p', repository: '/srv/other' }, localOnly)).toEqual({
      repository: '/srv/other',
      baseRef: undefined,
      defaulted: false,
    });
  });
});
