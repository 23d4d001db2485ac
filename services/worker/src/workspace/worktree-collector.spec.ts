import { resolveLimits } from './worktree-collector';

describe('resolveLimits', () => {
  const configured = { maxAgeMs: 7 * 86_400_000, maxCount: 50, maxTotalBytes: 1024 };

  it('takes the configured limit for each one absent or 0', () => {
    expect(resolveLimits({}, configured)).toEqual(configured);
    expect(resolveLimits({ maxAgeMs: 0, maxCount: 0, maxTotalBytes: 0 }, configured)).toEqual(configured);
  });

  it('takes each requested limit over the configured one', () => {
    expect(resolveLimits({ maxAgeMs: 1, maxCount: 3 }, configured)).toEqual({
      maxAgeMs: 1,
      maxCount: 3,
      maxTotalBytes: 1024,
    });
  });
});
