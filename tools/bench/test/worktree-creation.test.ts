import { stat } from 'node:fs/promises';
import { worktreeSection } from '../src/report';
import type { Summary } from '../src/stats';
import { measureWorktreeCreation, type WorktreeCreationResult } from '../src/worktree-creation';

function summaryOf(ms: number): Summary {
  return { count: 1, min: ms, mean: ms, p50: ms, p95: ms, p99: ms, max: ms };
}

// The measurement at a tiny scale with real git: it must produce numbers and leave nothing behind.
describe('worktree creation measurement', () => {
  it('times worktree add against full and local clones, then removes everything', async () => {
    // 250 files at 100 a directory: the last directory is partly filled, and its last file is checked.
    const result = await measureWorktreeCreation({ files: 250, rounds: 2, filesPerDirectory: 100 });

    expect(result.files).toBe(250);
    expect(result.directories).toBe(3);
    expect(result.rounds).toBe(2);
    for (const summary of [result.worktree, result.fullClone, result.localClone]) {
      expect(summary.count).toBe(2);
      expect(summary.min).toBeGreaterThan(0);
      expect(summary.p50).toBeGreaterThanOrEqual(summary.min);
      expect(summary.mean).toBeGreaterThanOrEqual(summary.min);
    }
    expect(result.ratioToFullClone).toBeCloseTo(result.worktree.p50 / result.fullClone.p50);
    expect(result.ratioToLocalClone).toBeCloseTo(result.worktree.p50 / result.localClone.p50);
    expect(result.buildMs).toBeGreaterThan(0);
    expect(result.objectsBytes).toBeGreaterThan(0);
    expect(result.contentBytes).toBeGreaterThan(250 * 40);
    expect(result.gitVersion).toMatch(/^\d+\.\d+/);
    // The repository, its worktrees and every clone lived under this directory.
    await expect(stat(result.workDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects options that would measure nothing', async () => {
    await expect(measureWorktreeCreation({ files: 10, rounds: 0 })).rejects.toThrow(RangeError);
  });
});

describe('worktree creation report', () => {
  const result: WorktreeCreationResult = {
    files: 50_000,
    directories: 500,
    rounds: 5,
    buildMs: 2_000,
    objectsBytes: 12_300_000,
    contentBytes: 3_000_000,
    gitVersion: '2.39.5',
    worktree: summaryOf(500),
    fullClone: summaryOf(2_000),
    localClone: summaryOf(1_000),
    ratioToFullClone: 0.25,
    ratioToLocalClone: 0.5,
    workDir: '/tmp/gone',
  };

  it('puts the ratio to a full clone in the results table, with no target to meet', () => {
    const section = worktreeSection({ ok: true, value: result }, 50_000);
    expect(section.rows).toEqual([
      {
        metric: 'worktree creation p50 (50,000 files)',
        claudine: '500 ms',
        baseline: '2.00 s',
        ratio: '0.25x',
        target: 'ratio shown, no target',
        verdict: 'info',
      },
    ]);
    const [table] = section.details;
    expect(table).toContain('50,000 files in 500 directories');
    expect(table).toContain('.git objects 12.3 MB on disk');
    expect(table).toContain('built in 2.00 s');
    expect(table).toMatch(/git worktree add \(Claudine\)\s+500 ms\s+500 ms\s+500 ms\s+0\.25x/);
    expect(table).toMatch(/git clone --no-local \(full clone\)\s+2\.00 s\s+2\.00 s\s+2\.00 s\s+1\.00x/);
    expect(table).toMatch(/git clone \(local, hardlinks\)\s+1\.00 s\s+1\.00 s\s+1\.00 s\s+0\.50x/);
  });

  it('reports a failed measurement as an error row', () => {
    const section = worktreeSection({ ok: false, error: 'git fast-import failed' }, 50_000);
    expect(section.rows[0]?.verdict).toBe('error');
    expect(section.notes).toContain('worktree creation error: git fast-import failed');
    expect(section.details).toEqual([]);
  });
});
