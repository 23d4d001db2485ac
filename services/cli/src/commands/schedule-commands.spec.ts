import { AppError, type Task } from '@claudine/core';
import type { Schedule__Output } from '@claudine/proto';
import { parseFlags } from '../flags';
import {
  formatEvery,
  formatPipelineSummary,
  formatScheduleDetail,
  formatScheduleTable,
  formatTiming,
  PipelineFlagsSchema,
  pipelineStepSpec,
  ScheduleCreateFlagsSchema,
  ScheduleListFlagsSchema,
  scheduleRequestFromFlags,
} from './schedule-commands';

const TASK_A = 'task-11111111-1111-4111-8111-111111111111';
const TASK_B = 'task-22222222-2222-4222-8222-222222222222';
const SCHEDULE = 'sched-33333333-3333-4333-8333-333333333333';

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(AppError.is(error, 'INVALID_ARGUMENT')).toBe(true);
    return (error as AppError).message;
  }
  throw new Error('expected a refusal');
}

/** Flags as commander hands them over: strings, unchecked. */
const createFlags = (flags: Record<string, unknown>) => parseFlags(ScheduleCreateFlagsSchema, flags);

describe('claudine schedule create flags', () => {
  it('takes exactly one timing, naming the flag at fault', () => {
    expect(refusal(() => createFlags({}))).toBe(
      '--cron: give one of --cron <expression>, --every <duration> or --at <time>',
    );
    expect(refusal(() => createFlags({ cron: '0 9 * * *', every: '1h' }))).toBe(
      '--every: not with --cron: give one timing',
    );
    expect(refusal(() => createFlags({ every: '1h', at: '2999-01-01T00:00:00Z' }))).toBe(
      '--at: not with --every: give one timing',
    );
  });

  it("refuses a bad cron expression with the parser's reason", () => {
    expect(refusal(() => createFlags({ cron: '61 * * * *' }))).toMatch(
      /^--cron: "61 \* \* \* \*" is not a valid cron expression: .*61/,
    );
    expect(refusal(() => createFlags({ cron: '@daily' }))).toMatch(/^--cron: .*write "0 0 \* \* \*"/);
  });

  it('checks the time zone, and gives it its canonical case', () => {
    expect(refusal(() => createFlags({ cron: '0 9 * * *', tz: 'Mars/Olympus' }))).toMatch(
      /^--tz: "Mars\/Olympus" is not a known IANA time zone/,
    );
    expect(createFlags({ cron: '0 9 * * *', tz: 'europe/paris' }).tz).toBe('Europe/Paris');
  });

  it('parses --every as a duration of at least a second', () => {
    expect(createFlags({ every: '30m' }).every).toBe(1_800_000);
    expect(createFlags({ every: '1h30m' }).every).toBe(5_400_000);
    expect(refusal(() => createFlags({ every: '500ms' }))).toBe('--every: must be at least 1s');
    expect(refusal(() => createFlags({ every: 'often' }))).toMatch(/^--every: "often" is not a duration/);
  });

  it('takes --at as a future ISO 8601 instant', () => {
    expect(createFlags({ at: '2999-12-01T09:00:00Z' }).at).toBe('2999-12-01T09:00:00Z');
    expect(refusal(() => createFlags({ at: '2020-01-01T00:00:00Z' }))).toBe(
      '--at: 2020-01-01T00:00:00Z is in the past',
    );
    expect(refusal(() => createFlags({ at: 'tomorrow' }))).toMatch(/^--at: must be an ISO 8601 time/);
    expect(
      refusal(() => createFlags({ at: '2999-12-01T09:00:00Z', expiresAt: '2999-12-02T00:00:00Z' })),
    ).toBe('--expires-at: not with --at (it runs once)');
  });

  it.each(['0', '-1', '1.5', 'many'])('refuses --max-runs %s', (maxRuns) => {
    expect(refusal(() => createFlags({ every: '1h', maxRuns }))).toMatch(
      /^--max-runs: must be (a whole number, )?1 or more/,
    );
  });

  it('checks the policies, and --catchup-limit only with --missed catchup', () => {
    expect(refusal(() => createFlags({ every: '1h', missed: 'later' }))).toMatch(/^--missed: /);
    expect(refusal(() => createFlags({ every: '1h', concurrency: 'parallel' }))).toMatch(/^--concurrency: /);
    expect(refusal(() => createFlags({ every: '1h', catchupLimit: '5' }))).toBe(
      '--catchup-limit: only with --missed catchup',
    );
    expect(refusal(() => createFlags({ every: '1h', missed: 'catchup', catchupLimit: '0' }))).toBe(
      '--catchup-limit: must be between 1 and 1000',
    );
    expect(refusal(() => createFlags({ every: '1h', afterSchedule: 'nightly' }))).toBe(
      '--after-schedule: must look like sched-<uuid>',
    );
  });

  it('validates the template flags as delegate does', () => {
    expect(refusal(() => createFlags({ every: '1h', priority: 'P9' }))).toMatch(/^--priority: /);
    expect(refusal(() => createFlags({ every: '1h', label: ['nope'] }))).toBe('--label.0: use key=value');
    expect(refusal(() => createFlags({ every: '1h', dependsOn: ['x'] }))).toMatch(/^--depends-on\.0: /);
  });

  it('builds the ScheduleTask request: the template as delegate builds it, and the timing', () => {
    const flags = createFlags({
      cron: ' 30 2 * * * ',
      tz: 'Europe/Paris',
      maxRuns: '3',
      missed: 'catchup',
      catchupLimit: '4',
      concurrency: 'queue',
      afterSchedule: SCHEDULE,
      repo: 'repo',
      priority: 'p1',
      timeout: '10m',
      label: ['team=docs'],
      merge: 'none',
    });
    expect(scheduleRequestFromFlags('tidy up', flags, '/work')).toEqual({
      template: expect.objectContaining({
        prompt: 'tidy up',
        repository: '/work/repo',
        priority: 'PRIORITY_P1',
        timeoutMs: 600_000,
        labels: { team: 'docs' },
        mergeStrategy: 'none',
        dryRun: false,
        continueFrom: '',
      }),
      cron: '30 2 * * *',
      timeZone: 'Europe/Paris',
      everyMs: 0,
      oneTime: '',
      maxRuns: 3,
      expiresAt: '',
      missedRunPolicy: 'catchup',
      catchupLimit: 4,
      concurrency: 'queue',
      afterSchedule: SCHEDULE,
    });
    const every = scheduleRequestFromFlags('x', createFlags({ every: '2h', repo: '/r' }), '/');
    expect(every).toMatchObject({
      everyMs: 7_200_000,
      timeZone: '',
      missedRunPolicy: 'skip',
      concurrency: 'skip',
    });
    expect(every).not.toHaveProperty('maxRuns');
  });
});

describe('claudine schedule list flags', () => {
  it('takes known states, in any case, and a limit', () => {
    expect(parseFlags(ScheduleListFlagsSchema, { state: ['Active', 'paused'] })).toEqual({
      state: ['active', 'paused'],
      limit: 50,
      json: false,
    });
    expect(refusal(() => parseFlags(ScheduleListFlagsSchema, { state: ['sleeping'] }))).toMatch(
      /^--state\.0: /,
    );
    expect(refusal(() => parseFlags(ScheduleListFlagsSchema, { limit: '501' }))).toBe(
      '--limit: must be between 1 and 500',
    );
  });
});

function schedule(overrides: Partial<Schedule__Output> = {}): Schedule__Output {
  return {
    id: SCHEDULE,
    tenant: 'default',
    spec: {
      template: {
        prompt: 'Check the  dependencies\nfor updates',
        repository: '/srv/repo',
        baseRef: 'main',
      } as NonNullable<Schedule__Output['spec']>['template'],
      cron: '30 2 * * *',
      timeZone: 'Europe/Paris',
      everyMs: 0,
      oneTime: '',
      maxRuns: 10,
      expiresAt: '',
      missedRunPolicy: 'catchup',
      catchupLimit: 3,
      concurrency: 'skip',
      afterSchedule: '',
    },
    state: 'active',
    stateReason: '',
    createdAtMs: Date.parse('2026-03-27T12:00:00Z'),
    updatedAtMs: Date.parse('2026-03-27T12:00:00Z'),
    runCount: 1,
    lastFireAtMs: Date.parse('2026-03-28T01:30:00Z'),
    lastTaskId: TASK_A,
    // 2026-03-29: Paris springs forward at 02:00, so 02:30 fires at 03:30 CEST.
    nextFireTimesMs: [Date.parse('2026-03-29T01:30:00Z'), Date.parse('2026-03-30T00:30:00Z')],
    history: [
      {
        fireTimeMs: Date.parse('2026-03-28T01:30:00Z'),
        queuedAtMs: Date.parse('2026-03-28T01:30:00.200Z'),
        taskId: TASK_A,
        outcome: 'queued',
        reason: '',
      },
      {
        fireTimeMs: Date.parse('2026-03-27T01:30:00Z'),
        queuedAtMs: Date.parse('2026-03-28T01:30:00.100Z'),
        taskId: '',
        outcome: 'skipped',
        reason: 'beyond the catch-up limit',
      },
    ],
    ...overrides,
  };
}

describe('schedule rendering', () => {
  it.each([
    [1_000, '1s'],
    [90_000, '1m30s'],
    [1_800_000, '30m'],
    [86_400_000, '1d'],
    [93_784_005, '1d2h3m4s5ms'],
  ])('formatEvery(%d) is %s', (ms, text) => expect(formatEvery(ms)).toBe(text));

  it('writes each kind of timing, with its time zone', () => {
    expect(formatTiming(schedule())).toBe('cron 30 2 * * * (Europe/Paris)');
    const spec = schedule().spec!;
    expect(formatTiming(schedule({ spec: { ...spec, cron: '', everyMs: 1_800_000 } }))).toBe('every 30m');
    expect(
      formatTiming(
        schedule({ spec: { ...spec, cron: '', oneTime: '2026-12-01T09:00:00Z', timeZone: 'UTC' } }),
      ),
    ).toBe('at 2026-12-01 09:00 UTC');
  });

  it('lists schedules as a table, the next run in their own zone', () => {
    const paused = schedule({
      id: 'sched-44444444-4444-4444-8444-444444444444',
      state: 'paused',
      nextFireTimesMs: [],
      spec: { ...schedule().spec!, cron: '', everyMs: 3_600_000, maxRuns: undefined, timeZone: 'UTC' },
    });
    const lines = formatScheduleTable([schedule(), paused]).split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATE\s+TIMING\s+RUNS\s+NEXT RUN$/);
    expect(lines[1]?.split(/\s{2,}/)).toEqual([
      SCHEDULE,
      'active',
      'cron 30 2 * * * (Europe/Paris)',
      '1/10',
      '2026-03-29 03:30 CEST (Europe/Paris)',
    ]);
    expect(lines[2]?.split(/\s{2,}/)).toEqual([paused.id, 'paused', 'every 1h', '1', '-']);
  });

  it('details a schedule: policies, next runs and history in its time zone', () => {
    const text = formatScheduleDetail(schedule());
    expect(text).toContain(`Schedule    ${SCHEDULE}`);
    expect(text).toContain('Runs        1 of at most 10');
    expect(text).toContain('Missed runs catchup (at most 3)');
    expect(text).toContain('Repository  /srv/repo @ main');
    expect(text).toContain('Prompt      Check the dependencies for updates');
    expect(text).toContain(
      'Next runs   2026-03-29 03:30 CEST (Europe/Paris)\n            2026-03-30 02:30 CEST (Europe/Paris)',
    );
    const history = text.slice(text.indexOf('History'));
    const [, header, queued, skipped] = history.split('\n');
    expect(header).toMatch(/^FIRE TIME\s+QUEUED AT\s+TASK\s+OUTCOME\s+REASON$/);
    expect(queued?.split(/\s{2,}/)).toEqual([
      '2026-03-28 02:30 CET (Europe/Paris)',
      '2026-03-28 02:30 CET (Europe/Paris)',
      TASK_A,
      'queued',
    ]);
    expect(skipped?.split(/\s{2,}/)).toEqual([
      '2026-03-27 02:30 CET (Europe/Paris)',
      '2026-03-28 02:30 CET (Europe/Paris)',
      '-',
      'skipped',
      'beyond the catch-up limit',
    ]);
  });

  it('says why a schedule ended, and that it has no next run', () => {
    const text = formatScheduleDetail(
      schedule({ state: 'completed', stateReason: 'reached maxRuns (10)', nextFireTimesMs: [], history: [] }),
    );
    expect(text).toContain('State       completed (reached maxRuns (10))');
    expect(text).toContain('Next runs   -');
    expect(text).toContain('No runs yet');
  });

  it('shows the latest 20 runs of a long history', () => {
    const run = schedule().history[0]!;
    const history = Array.from({ length: 25 }, (_, index) => ({
      ...run,
      fireTimeMs: run.fireTimeMs + index * 60_000,
    }));
    const text = formatScheduleDetail(schedule({ history }));
    expect(text).toContain('History (the latest 20 of 25; --json has all)');
    expect(text.split('\n').filter((line) => line.includes(TASK_A) && line.includes('queued'))).toHaveLength(
      20,
    );
  });
});

describe('claudine pipeline', () => {
  const flags = (input: Record<string, unknown>) => parseFlags(PipelineFlagsSchema, input);

  it('refuses an empty step and more than 100 steps', () => {
    expect(refusal(() => flags({ then: ['two', '  '] }))).toBe('--then.1: a step must not be empty');
    expect(refusal(() => flags({ then: Array.from({ length: 100 }, () => 'more') }))).toBe(
      '--then: at most 100 steps in all (each waits for the one before)',
    );
    expect(flags({ then: Array.from({ length: 99 }, () => 'more') }).then).toHaveLength(99);
  });

  it('starts the first step like delegate, and continues each later one from the step before', () => {
    const parsed = flags({ repo: '/r', base: 'develop', dependsOn: [TASK_B], merge: 'none', then: ['two'] });
    const first = pipelineStepSpec('one', parsed, undefined, '/');
    expect(first).toMatchObject({
      prompt: 'one',
      repository: '/r',
      baseRef: 'develop',
      dependsOn: [TASK_B],
      continueFrom: '',
      mergeStrategy: 'none',
    });
    const second = pipelineStepSpec('two', parsed, TASK_A, '/');
    expect(second).toMatchObject({
      prompt: 'two',
      repository: '/r',
      baseRef: '',
      dependsOn: [],
      continueFrom: TASK_A,
      mergeStrategy: 'none',
    });
  });

  it('sums up each step: its branch, or its error', () => {
    const task = (id: string, state: Task['state'], extra: Partial<Task>) =>
      ({ id, state, ...extra }) as Task;
    const summary = formatPipelineSummary([
      task(TASK_A, 'failed', { error: { code: 'AGENT_FAILED', message: 'it broke' } }),
      task(TASK_B, 'completed', { result: { branch: `claudine/${TASK_B}` } as Task['result'] }),
    ]).split('\n');
    expect(summary[0]?.split(/\s{2,}/)).toEqual(['step 1', TASK_A, 'failed', 'AGENT_FAILED: it broke']);
    expect(summary[1]?.split(/\s{2,}/)).toEqual(['step 2', TASK_B, 'completed', `claudine/${TASK_B}`]);
  });
});
