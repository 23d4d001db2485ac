import { z } from 'zod';
import {
  CronExpressionSchema,
  formatFireTime,
  MISSED_RUN_POLICIES,
  parseDuration,
  SCHEDULE_CONCURRENCIES,
  SCHEDULE_LIMITS,
  SCHEDULE_STATES,
  ScheduleIdSchema,
  TimeZoneSchema,
  type Task,
} from '@claudine/core';
import type { ProtoScheduleTaskRequest, ProtoTaskSpec, Schedule__Output } from '@claudine/proto';
import type { ClusterClient } from '../client/cluster-client';
import { parseFlags } from '../flags';
import { EXIT, print, printJson } from '../output';
import { DelegateFlagsSchema, followUntilDone, taskSpecFromFlags } from './task-commands';

/** History entries `schedule get` shows (all of them with --json). */
const HISTORY_SHOWN = 20;
/** Steps of a pipeline at most: each continues from the one before, and a chain is at most 100 deep. */
export const PIPELINE_MAX_STEPS = 100;
const UINT32_MAX = 4_294_967_295;

const wholeNumber = (min: number, max: number, range: string) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number, ${range}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be ${range}`).max(max, `must be ${range}`));

const IsoInstantSchema = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 time with seconds and Z or an offset, e.g. 2026-12-01T09:00:00Z',
});

/** The delegate flags a schedule's template takes: not --wait, --dry-run or --continue-from. */
const TemplateFlagsSchema = DelegateFlagsSchema.omit({
  wait: true,
  dryRun: true,
  continueFrom: true,
});

const TIMING_FLAGS = ['cron', 'every', 'at'] as const;

/** The flags of `claudine schedule create`, validated before anything is sent. */
export const ScheduleCreateFlagsSchema = TemplateFlagsSchema.extend({
  cron: CronExpressionSchema.optional(),
  tz: TimeZoneSchema.optional(),
  every: z
    .string()
    .transform((text, ctx) => {
      try {
        return parseDuration(text);
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: `"${text}" is not a duration (examples: 30s, 30m, 1h30m, 1d)`,
        });
        return z.NEVER;
      }
    })
    .pipe(z.number().min(SCHEDULE_LIMITS.minEveryMs, 'must be at least 1s'))
    .optional(),
  at: IsoInstantSchema.refine((time) => Date.parse(time) > Date.now(), {
    error: (issue) => `${String(issue.input)} is in the past`,
  }).optional(),
  maxRuns: wholeNumber(1, UINT32_MAX, '1 or more (leave it out for no limit)').optional(),
  expiresAt: IsoInstantSchema.optional(),
  missed: z.enum(MISSED_RUN_POLICIES).default('skip'),
  catchupLimit: wholeNumber(
    1,
    SCHEDULE_LIMITS.maxCatchupLimit,
    `between 1 and ${SCHEDULE_LIMITS.maxCatchupLimit}`,
  ).optional(),
  concurrency: z.enum(SCHEDULE_CONCURRENCIES).default('skip'),
  afterSchedule: ScheduleIdSchema.optional(),
}).superRefine((flags, ctx) => {
  const given = TIMING_FLAGS.filter((name) => flags[name] !== undefined);
  if (given.length === 0)
    ctx.addIssue({
      code: 'custom',
      path: ['cron'],
      message: 'give one of --cron <expression>, --every <duration> or --at <time>',
    });
  else if (given.length > 1)
    ctx.addIssue({ code: 'custom', path: [given[1]!], message: `not with --${given[0]}: give one timing` });
  if (flags.catchupLimit !== undefined && flags.missed !== 'catchup')
    ctx.addIssue({ code: 'custom', path: ['catchupLimit'], message: 'only with --missed catchup' });
  if (flags.expiresAt !== undefined && flags.at !== undefined)
    ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'not with --at (it runs once)' });
});
export type ScheduleCreateFlags = z.input<typeof ScheduleCreateFlagsSchema>;

export const ScheduleListFlagsSchema = z.object({
  state: z.array(z.string().toLowerCase().pipe(z.enum(SCHEDULE_STATES))).default([]),
  limit: wholeNumber(1, 500, 'between 1 and 500').default(50),
  json: z.boolean().default(false),
});
export type ScheduleListFlags = z.input<typeof ScheduleListFlagsSchema>;

/** The ScheduleTask request of `schedule create`: the template as `delegate` builds it, and the timing. */
export function scheduleRequestFromFlags(
  prompt: string,
  flags: z.output<typeof ScheduleCreateFlagsSchema>,
  cwd = process.cwd(),
): ProtoScheduleTaskRequest {
  return {
    template: taskSpecFromFlags(prompt, flags, cwd),
    cron: flags.cron ?? '',
    timeZone: flags.tz ?? '',
    everyMs: flags.every ?? 0,
    oneTime: flags.at ?? '',
    ...(flags.maxRuns === undefined ? {} : { maxRuns: flags.maxRuns }),
    expiresAt: flags.expiresAt ?? '',
    missedRunPolicy: flags.missed,
    catchupLimit: flags.catchupLimit ?? 0,
    concurrency: flags.concurrency,
    afterSchedule: flags.afterSchedule ?? '',
  };
}

/** A fixed interval, compactly and exactly: 1800000 → "30m", 90000 → "1m30s", 1500 → "1s500ms". */
export function formatEvery(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
    ['ms', 1],
  ];
  let rest = ms;
  let text = '';
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  return text || '0ms';
}

const zoneOf = (schedule: Schedule__Output): string => schedule.spec?.timeZone || 'UTC';

/** The timing as written: `cron 0 9 * * 1-5 (Europe/Paris)`, `every 30m`, `at 2026-12-01 09:00 UTC`. */
export function formatTiming(schedule: Schedule__Output): string {
  const spec = schedule.spec;
  if (!spec) return '-';
  if (spec.cron) return `cron ${spec.cron.trim().split(/\s+/).join(' ')} (${zoneOf(schedule)})`;
  if (Number(spec.everyMs) > 0) return `every ${formatEvery(Number(spec.everyMs))}`;
  if (spec.oneTime) return `at ${formatFireTime(Date.parse(spec.oneTime), zoneOf(schedule))}`;
  return '-';
}

function formatRuns(schedule: Schedule__Output): string {
  const max = schedule.spec?.maxRuns;
  return max === undefined ? String(schedule.runCount) : `${schedule.runCount}/${max}`;
}

/** Rows of cells as aligned columns, two spaces apart, the last column unpadded. */
function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? []).map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `schedule list`: one row per schedule, its next run in its own time zone. */
export function formatScheduleTable(schedules: readonly Schedule__Output[]): string {
  return formatTable([
    ['ID', 'STATE', 'TIMING', 'RUNS', 'NEXT RUN'],
    ...schedules.map((schedule) => {
      const next = schedule.nextFireTimesMs[0];
      return [
        schedule.id,
        schedule.state,
        formatTiming(schedule),
        formatRuns(schedule),
        next === undefined ? '-' : formatFireTime(Number(next), zoneOf(schedule)),
      ];
    }),
  ]);
}

/** The next run times, one a line, in the schedule's time zone. */
export function formatNextRuns(schedule: Schedule__Output, indent = ''): string[] {
  return schedule.nextFireTimesMs.map((time) => `${indent}${formatFireTime(Number(time), zoneOf(schedule))}`);
}

/** Everything about one schedule, for `schedule get`: its spec, its next runs and its latest history. */
export function formatScheduleDetail(schedule: Schedule__Output): string {
  const spec = schedule.spec;
  const zone = zoneOf(schedule);
  const when = (ms: number) => formatFireTime(ms, zone);
  const lines = [
    `Schedule    ${schedule.id}`,
    `State       ${schedule.state}${schedule.stateReason && schedule.stateReason !== schedule.state ? ` (${schedule.stateReason})` : ''}`,
    `Timing      ${formatTiming(schedule)}`,
    `Runs        ${schedule.runCount}${spec?.maxRuns === undefined ? '' : ` of at most ${spec.maxRuns}`}`,
  ];
  if (spec) {
    if (spec.expiresAt) lines.push(`Expires     ${when(Date.parse(spec.expiresAt))}`);
    lines.push(
      `Missed runs ${spec.missedRunPolicy}${spec.missedRunPolicy === 'catchup' ? ` (at most ${spec.catchupLimit})` : ''}`,
      `Concurrency ${spec.concurrency}`,
    );
    if (spec.afterSchedule)
      lines.push(`After       ${spec.afterSchedule} (each run waits for its latest run)`);
  }
  lines.push(`Created     ${when(schedule.createdAtMs)}`);
  if (schedule.lastTaskId) lines.push(`Last task   ${schedule.lastTaskId}`);
  const template = spec?.template;
  if (template) {
    lines.push(`Repository  ${template.repository}${template.baseRef ? ` @ ${template.baseRef}` : ''}`);
    const prompt = template.prompt.replace(/\s+/g, ' ');
    lines.push(`Prompt      ${prompt.length > 200 ? `${prompt.slice(0, 200)}…` : prompt}`);
  }
  const next = formatNextRuns(schedule);
  lines.push(`Next runs   ${next.length === 0 ? '-' : next.join(`\n${' '.repeat(12)}`)}`);
  const history = schedule.history;
  if (history.length === 0) {
    lines.push('', 'No runs yet');
  } else {
    const shown = history.slice(-HISTORY_SHOWN);
    lines.push(
      '',
      history.length > shown.length
        ? `History (the latest ${shown.length} of ${history.length}; --json has all)`
        : 'History',
      formatTable([
        ['FIRE TIME', 'QUEUED AT', 'TASK', 'OUTCOME', 'REASON'],
        ...shown.map((run) => [
          when(Number(run.fireTimeMs)),
          when(Number(run.queuedAtMs)),
          run.taskId || '-',
          run.outcome,
          run.reason || '',
        ]),
      ]),
    );
  }
  return lines.join('\n');
}

/** A schedule as --json prints it: without proto-loader's oneof marker (`_maxRuns`). */
function scheduleJson(schedule: Schedule__Output): unknown {
  if (!schedule.spec) return schedule;
  const { _maxRuns: _marker, ...spec } = schedule.spec;
  return { ...schedule, spec };
}

export async function scheduleCreateCommand(
  client: ClusterClient,
  prompt: string,
  rawFlags: ScheduleCreateFlags,
): Promise<number> {
  const flags = parseFlags(ScheduleCreateFlagsSchema, rawFlags);
  const schedule = await client.scheduleTask(scheduleRequestFromFlags(prompt, flags));
  if (flags.json) {
    printJson(scheduleJson(schedule));
    return EXIT.ok;
  }
  // Standard output stays the id alone, for scripts; the next runs go to stderr.
  print(schedule.id);
  const next = formatNextRuns(schedule, '  ');
  process.stderr.write(
    next.length === 0 ? `${schedule.id} ${schedule.state}\n` : `next runs:\n${next.join('\n')}\n`,
  );
  return EXIT.ok;
}

export async function scheduleListCommand(
  client: ClusterClient,
  rawFlags: ScheduleListFlags,
): Promise<number> {
  const flags = parseFlags(ScheduleListFlagsSchema, rawFlags);
  const page = await client.listSchedules({ states: flags.state, pageSize: flags.limit });
  if (flags.json) printJson(page.schedules.map(scheduleJson));
  else if (page.schedules.length === 0) print('no schedules');
  else print(formatScheduleTable(page.schedules));
  return EXIT.ok;
}

export async function scheduleGetCommand(
  client: ClusterClient,
  scheduleId: string,
  flags: { json?: boolean },
): Promise<number> {
  const schedule = await client.getSchedule(scheduleId);
  if (flags.json) printJson(scheduleJson(schedule));
  else print(formatScheduleDetail(schedule));
  return EXIT.ok;
}

/** `schedule pause|resume|cancel <id>`. @throws AppError SCHEDULE_NOT_FOUND, SCHEDULE_STATE_INVALID (exit 4) */
export async function scheduleChangeCommand(
  client: ClusterClient,
  change: 'pause' | 'resume' | 'cancel',
  scheduleId: string,
  flags: { json?: boolean },
): Promise<number> {
  const schedule = await client.changeSchedule(change, scheduleId);
  if (flags.json) {
    printJson(scheduleJson(schedule));
    return EXIT.ok;
  }
  const next = schedule.nextFireTimesMs[0];
  print(
    `${schedule.id} ${schedule.state}${schedule.stateReason && schedule.stateReason !== schedule.state ? ` (${schedule.stateReason})` : ''}${
      next === undefined ? '' : `, next run ${formatFireTime(Number(next), zoneOf(schedule))}`
    }`,
  );
  return EXIT.ok;
}

/** The flags of `claudine pipeline`: delegate's (a template for every step), and the steps after the first. */
export const PipelineFlagsSchema = DelegateFlagsSchema.omit({ dryRun: true, continueFrom: true })
  .extend({
    then: z.array(z.string().trim().min(1, 'a step must not be empty')).default([]),
  })
  .superRefine((flags, ctx) => {
    if (flags.then.length + 1 > PIPELINE_MAX_STEPS)
      ctx.addIssue({
        code: 'custom',
        path: ['then'],
        message: `at most ${PIPELINE_MAX_STEPS} steps in all (each waits for the one before)`,
      });
  });
export type PipelineFlags = z.input<typeof PipelineFlagsSchema>;

/**
 * The spec of a pipeline's step: the first one as `delegate` would send it; each later one
 * continues from the task before (its branch and its result), so it takes neither `--base` nor
 * `--depends-on`.
 */
export function pipelineStepSpec(
  prompt: string,
  flags: z.output<typeof PipelineFlagsSchema>,
  previousTaskId: string | undefined,
  cwd = process.cwd(),
): ProtoTaskSpec {
  if (previousTaskId === undefined) return taskSpecFromFlags(prompt, flags, cwd);
  return taskSpecFromFlags(
    prompt,
    { ...flags, base: undefined, dependsOn: [], continueFrom: previousTaskId },
    cwd,
  );
}

/**
 * `claudine pipeline "a" --then "b" --then "c"`: a chain of tasks, each continuing from the one
 * before. Prints the ids; with --wait, follows each step to its end and exits 1 unless all completed.
 */
export async function pipelineCommand(
  client: ClusterClient,
  prompt: string,
  rawFlags: PipelineFlags,
): Promise<number> {
  const flags = parseFlags(PipelineFlagsSchema, rawFlags);
  const prompts = [prompt, ...flags.then];
  // Every spec is built (the repository resolved, --timeout parsed) before any task is created.
  const first = pipelineStepSpec(prompt, flags, undefined);
  const template = { ...flags, repo: first.repository };
  const tasks: Task[] = [];
  for (const [index, stepPrompt] of prompts.entries()) {
    const spec = index === 0 ? first : pipelineStepSpec(stepPrompt, template, tasks[index - 1]!.id);
    try {
      tasks.push(await client.delegate(spec));
    } catch (error) {
      await cancelCreated(client, tasks, index + 1);
      throw error;
    }
  }
  if (!flags.wait) {
    if (flags.json) printJson(tasks);
    else for (const task of tasks) print(task.id);
    return EXIT.ok;
  }
  const finals: Task[] = [];
  for (const [index, task] of tasks.entries()) {
    if (!flags.json) print(`── step ${index + 1}/${tasks.length}: ${task.id} ──`);
    finals.push(await followUntilDone(client, task.id, !flags.json));
  }
  if (flags.json) printJson(finals);
  else print(`\n${formatPipelineSummary(finals)}`);
  return finals.every((task) => task.state === 'completed') ? EXIT.ok : EXIT.taskFailed;
}

/** A step refused at creation: the steps already created would wait for nothing useful. */
async function cancelCreated(
  client: ClusterClient,
  tasks: readonly Task[],
  failedStep: number,
): Promise<void> {
  if (tasks.length === 0) return;
  const reason = `pipeline step ${failedStep} was refused`;
  await Promise.allSettled(tasks.map((task) => client.cancel(task.id, reason)));
  process.stderr.write(
    `claudine: step ${failedStep} was refused; cancelled the steps already created: ${tasks.map((task) => task.id).join(', ')}\n`,
  );
}

/** One line per step: its task, how it ended, its branch or its error. */
export function formatPipelineSummary(tasks: readonly Task[]): string {
  return formatTable(
    tasks.map((task, index) => [
      `step ${index + 1}`,
      task.id,
      task.state,
      task.error
        ? `${task.error.code}: ${task.error.message}`
        : (task.result?.branch ?? task.cancelReason ?? ''),
    ]),
  );
}
