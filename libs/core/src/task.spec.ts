import { AppError } from './errors';
import { parseOrThrow } from './validation';
import { classifyRepository, newTaskId, TaskIdSchema, TaskSpecSchema } from './task';

const valid = { prompt: 'fix the bug', repository: '/srv/repo' };

function rejection(input: unknown): AppError {
  try {
    parseOrThrow(TaskSpecSchema, input, 'spec');
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('TaskSpecSchema', () => {
  it('applies the documented defaults', () => {
    const spec = parseOrThrow(TaskSpecSchema, valid);
    expect(spec).toEqual({
      ...valid,
      priority: 'P2',
      timeoutMs: 1_800_000,
      agent: {},
      labels: {},
      maxAttempts: 3,
      mergeStrategy: 'branch',
      worktreeCleanup: 'auto',
      dryRun: false,
      dependsOn: [],
      onDependencyFailure: 'fail',
      requires: [],
    });
  });

  it.each([
    [{ ...valid, prompt: '' }, 'spec.prompt'],
    [{ ...valid, prompt: '   ' }, 'spec.prompt'],
    [{ ...valid, prompt: 'x'.repeat(100_001) }, 'spec.prompt'],
    [{ ...valid, priority: 'P9' }, 'spec.priority'],
    [{ ...valid, timeoutMs: 10 }, 'spec.timeoutMs'],
    [{ ...valid, timeoutMs: 86_400_001 }, 'spec.timeoutMs'],
    [{ ...valid, repository: 'ftp://host/repo.git' }, 'spec.repository'],
    [{ ...valid, repository: 'https://' }, 'spec.repository'],
    [{ ...valid, repository: 'relative/path' }, 'spec.repository'],
    [{ ...valid, repository: '--upload-pack=evil' }, 'spec.repository'],
    [{ ...valid, baseRef: '--output=/etc/passwd' }, 'spec.baseRef'],
    [{ ...valid, baseRef: 'a..b' }, 'spec.baseRef'],
    [{ ...valid, workingDirectory: '../outside' }, 'spec.workingDirectory'],
    [{ ...valid, workingDirectory: '/etc' }, 'spec.workingDirectory'],
    [{ ...valid, agent: { permissionMode: 'yolo' } }, 'spec.agent.permissionMode'],
    [{ ...valid, agent: { maxTurns: 0 } }, 'spec.agent.maxTurns'],
    [{ ...valid, unknownField: 1 }, 'spec'],
    [{ ...valid, requires: ['gpu', 'no spaces'] }, 'spec.requires.1'],
    [{ ...valid, requires: ['-gpu'] }, 'spec.requires.0'],
    [{ ...valid, requires: Array.from({ length: 17 }, (_, i) => `l${i}`) }, 'spec.requires'],
    [{ ...valid, requires: 'gpu' }, 'spec.requires'],
    [{ ...valid, affinity: 'x'.repeat(129) }, 'spec.affinity'],
    [{ ...valid, affinity: '' }, 'spec.affinity'],
    [{ ...valid, affinity: 'a b' }, 'spec.affinity'],
  ])('refuses %j naming %s', (input, field) => {
    const error = rejection(input);
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message.startsWith(`${field}`)).toBe(true);
  });

  it('accepts every supported repository form', () => {
    for (const repository of [
      '/abs/path',
      'https://github.com/org/repo.git',
      'ssh://git@host/org/repo.git',
      'git@github.com:org/repo.git',
      'file:///srv/repo',
    ]) {
      expect(parseOrThrow(TaskSpecSchema, { ...valid, repository }).repository).toBe(repository);
    }
  });

  it('normalises required labels: lower-cased, without repeats, sorted', () => {
    const spec = parseOrThrow(TaskSpecSchema, {
      ...valid,
      requires: ['repo:web', 'GPU', 'gpu'],
      affinity: 'warm-cache',
    });
    expect(spec.requires).toEqual(['gpu', 'repo:web']);
    expect(spec.affinity).toBe('warm-cache');
  });

  it('normalises the working directory', () => {
    expect(parseOrThrow(TaskSpecSchema, { ...valid, workingDirectory: './pkg/web/' }).workingDirectory).toBe(
      'pkg/web',
    );
  });
});

describe('task ids', () => {
  it('are task-<uuid> and unique', () => {
    const a = newTaskId();
    expect(TaskIdSchema.safeParse(a).success).toBe(true);
    expect(newTaskId()).not.toBe(a);
    expect(TaskIdSchema.safeParse('task-123').success).toBe(false);
  });
});

describe('classifyRepository', () => {
  it('tells paths from URLs', () => {
    expect(classifyRepository('/srv/x/../repo')).toEqual({ kind: 'path', path: '/srv/repo' });
    expect(classifyRepository('git@h:o/r.git')).toEqual({ kind: 'url', url: 'git@h:o/r.git' });
  });
});
