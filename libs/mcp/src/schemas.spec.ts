import { type z } from 'zod';
import { MAX_REQUIRED_LABELS, TASK_LIMITS } from '@claudine/core';
import {
  CancelTaskInput,
  DelegateTaskInput,
  GetScheduleInput,
  ListWorkersInput,
  LOGS_LIMITS,
  parseSince,
  ScheduleTaskInput,
  TaskLogsInput,
  TaskStatusInput,
  WAIT_LIMITS,
  WaitForTaskInput,
} from './schemas';

const TASK = 'task-0b6f3c1e-8d2a-4c55-9e0f-1a2b3c4d5e6f';
const SCHEDULE = 'sched-0b6f3c1e-8d2a-4c55-9e0f-1a2b3c4d5e6f';

/** The field paths a schema refuses in `input`, or [] when it accepts it. */
function refused(schema: z.ZodType, input: unknown): string[] {
  const parsed = schema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.') || '(input)');
}

describe('DelegateTask input', () => {
  const base = { prompt: 'do it', repository: '/srv/repo' };

  it('accepts the smallest call, and one with every field', () => {
    expect(refused(DelegateTaskInput, { prompt: 'do it' })).toEqual([]);
    expect(
      refused(DelegateTaskInput, {
        ...base,
        baseRef: 'main',
        workingDirectory: 'packages/web',
        priority: 'P0',
        timeout: TASK_LIMITS.timeoutMaxMs,
        maxBudgetUsd: 2.5,
        maxAttempts: TASK_LIMITS.maxAttemptsMax,
        mergeStrategy: 'pr',
        worktreeCleanup: 'keep',
        dryRun: true,
        dependsOn: [TASK],
        onDependencyFailure: 'continue',
        labels: { team: 'web' },
        requires: ['gpu', 'repo:web'],
        affinity: TASK,
        model: 'claude-sonnet-4-5',
        permissionMode: 'acceptEdits',
        allowedTools: ['Bash(npm test)'],
        maxTurns: 50,
        appendSystemPrompt: 'be brief',
      }),
    ).toEqual([]);
  });

  it.each([
    ['an unknown field', { colour: 'red' }, ''],
    ['a blank prompt', { prompt: '   ' }, 'prompt'],
    ['a prompt past the limit', { prompt: 'x'.repeat(TASK_LIMITS.promptMaxChars + 1) }, 'prompt'],
    ['a relative repository', { repository: 'repo' }, 'repository'],
    ['a repository that reads as an option', { repository: '--upload-pack=x' }, 'repository'],
    ['a base ref that reads as an option', { baseRef: '-x' }, 'baseRef'],
    ['a working directory outside the repository', { workingDirectory: '../up' }, 'workingDirectory'],
    ['an unknown priority', { priority: 'P3' }, 'priority'],
    ['a timeout under 1 s', { timeout: TASK_LIMITS.timeoutMinMs - 1 }, 'timeout'],
    ['a timeout over 24 h', { timeout: TASK_LIMITS.timeoutMaxMs + 1 }, 'timeout'],
    ['a fractional timeout', { timeout: 1500.5 }, 'timeout'],
    ['a budget of 0', { maxBudgetUsd: 0 }, 'maxBudgetUsd'],
    ['too many attempts', { maxAttempts: TASK_LIMITS.maxAttemptsMax + 1 }, 'maxAttempts'],
    ['an unknown merge strategy', { mergeStrategy: 'yolo' }, 'mergeStrategy'],
    ['a malformed dependency', { dependsOn: ['task-1'] }, 'dependsOn.0'],
    ['a repeated dependency', { dependsOn: [TASK, TASK] }, 'dependsOn'],
    ['too many dependencies', { dependsOn: Array.from({ length: 101 }, () => TASK) }, 'dependsOn'],
    ['baseRef with continueFrom', { baseRef: 'main', continueFrom: TASK }, 'baseRef'],
    ['a malformed label requirement', { requires: ['no spaces'] }, 'requires.0'],
    [
      'too many label requirements',
      { requires: Array.from({ length: MAX_REQUIRED_LABELS + 1 }, (_, i) => `l${i}`) },
      'requires',
    ],
    [
      'too many labels',
      { labels: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) },
      'labels',
    ],
    ['an unknown permission mode', { permissionMode: 'yes' }, 'permissionMode'],
    ['max turns past the limit', { maxTurns: TASK_LIMITS.maxTurnsMax + 1 }, 'maxTurns'],
  ])('refuses %s', (_what, change, field) => {
    expect(refused(DelegateTaskInput, { ...base, ...change })).toContain(field || '(input)');
  });
});

describe('ScheduleTask input', () => {
  const base = { prompt: 'nightly', repository: '/srv/repo' };

  it('takes exactly one timing', () => {
    expect(refused(ScheduleTaskInput, { ...base, cron: '0 9 * * 1-5', timezone: 'Europe/Paris' })).toEqual(
      [],
    );
    expect(refused(ScheduleTaskInput, { ...base, everyMs: 60_000 })).toEqual([]);
    expect(refused(ScheduleTaskInput, { ...base, runAt: '2030-01-01T09:00:00Z' })).toEqual([]);
    expect(refused(ScheduleTaskInput, base)).toEqual(['cron']);
    expect(refused(ScheduleTaskInput, { ...base, cron: '0 9 * * *', everyMs: 60_000 })).toEqual(['cron']);
  });

  it.each([
    ['a cron of 4 fields', { cron: '0 9 * *' }, 'cron'],
    ['a cron out of range', { cron: '61 * * * *' }, 'cron'],
    ['a cron shortcut', { cron: '@daily' }, 'cron'],
    ['an unknown time zone', { cron: '0 9 * * *', timezone: 'Mars/Base' }, 'timezone'],
    ['an interval under 1 s', { everyMs: 999 }, 'everyMs'],
    ['a runAt that is not ISO 8601', { runAt: 'tomorrow' }, 'runAt'],
    ['maxRuns 0', { everyMs: 60_000, maxRuns: 0 }, 'maxRuns'],
    ['an unknown missed-run policy', { everyMs: 60_000, missedRunPolicy: 'retry' }, 'missedRunPolicy'],
    ['a malformed afterSchedule', { everyMs: 60_000, afterSchedule: 'sched-1' }, 'afterSchedule'],
    ['an unknown field', { everyMs: 60_000, scheduleType: 'cron' }, '(input)'],
  ])('refuses %s', (_what, change, field) => {
    expect(refused(ScheduleTaskInput, { ...base, ...change })).toContain(field);
  });
});

describe('the other tools', () => {
  it('WaitForTask: 1 to 100 distinct ids, mode any|all, a timeout of 1 s to 1 h', () => {
    expect(refused(WaitForTaskInput, { taskIds: [TASK] })).toEqual([]);
    expect(refused(WaitForTaskInput, { taskIds: [] })).toEqual(['taskIds']);
    expect(
      refused(WaitForTaskInput, { taskIds: Array.from({ length: WAIT_LIMITS.maxTasks + 1 }, () => TASK) }),
    ).toContain('taskIds');
    expect(refused(WaitForTaskInput, { taskIds: [TASK, TASK] })).toEqual(['taskIds']);
    expect(refused(WaitForTaskInput, { taskIds: [TASK], mode: 'first' })).toEqual(['mode']);
    expect(refused(WaitForTaskInput, { taskIds: [TASK], timeoutSeconds: 0 })).toEqual(['timeoutSeconds']);
    expect(
      refused(WaitForTaskInput, { taskIds: [TASK], timeoutSeconds: WAIT_LIMITS.maxTimeoutSeconds + 1 }),
    ).toEqual(['timeoutSeconds']);
  });

  it('TaskLogs: tail, since and maxChars within their bounds', () => {
    expect(
      refused(TaskLogsInput, { taskId: TASK, tail: 10, since: '10m', maxChars: LOGS_LIMITS.minMaxChars }),
    ).toEqual([]);
    expect(refused(TaskLogsInput, { taskId: TASK, since: '2026-01-31T12:00:00Z' })).toEqual([]);
    expect(refused(TaskLogsInput, { taskId: TASK, tail: 0 })).toEqual(['tail']);
    expect(refused(TaskLogsInput, { taskId: TASK, tail: LOGS_LIMITS.maxTail + 1 })).toEqual(['tail']);
    expect(refused(TaskLogsInput, { taskId: TASK, since: 'yesterday' })).toEqual(['since']);
    expect(refused(TaskLogsInput, { taskId: TASK, maxChars: LOGS_LIMITS.maxMaxChars + 1 })).toEqual([
      'maxChars',
    ]);
    expect(refused(TaskLogsInput, { taskId: 'task-1' })).toEqual(['taskId']);
  });

  it('ids, states and unknown fields', () => {
    expect(refused(TaskStatusInput, {})).toEqual([]);
    expect(refused(TaskStatusInput, { states: ['done'] })).toEqual(['states.0']);
    expect(refused(TaskStatusInput, { limit: 201 })).toEqual(['limit']);
    expect(refused(CancelTaskInput, { taskId: TASK, reason: 'x'.repeat(1_001) })).toEqual(['reason']);
    expect(refused(GetScheduleInput, { scheduleId: TASK })).toEqual(['scheduleId']);
    expect(refused(GetScheduleInput, { scheduleId: SCHEDULE, historyLimit: 0 })).toEqual(['historyLimit']);
    expect(refused(ListWorkersInput, { all: true })).toEqual(['(input)']);
  });
});

describe('parseSince', () => {
  it('reads a duration back from now or an ISO 8601 instant', () => {
    expect(parseSince('10m', 1_000_000)).toBe(1_000_000 - 600_000);
    expect(parseSince('2026-01-31T12:00:00Z')).toBe(Date.parse('2026-01-31T12:00:00Z'));
    expect(parseSince('soon')).toBeUndefined();
  });
});
