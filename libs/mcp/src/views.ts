import { z } from 'zod';
import { MERGE_STRATEGIES, PRIORITIES, SCHEDULE_STATES, TASK_STATES, type Task } from '@claudine/core';
import type { Schedule__Output, WorkerInfo__Output } from '@claudine/proto';

/**
 * What the tools return as `structuredContent`: compact views of tasks, schedules and workers,
 * with times as ISO 8601 strings (a model reads those better than epoch milliseconds). Each
 * schema is the tool's declared `outputSchema`; the mappers below build exactly its fields.
 */

/** A task's result text is cut past this many characters in a view (TaskLogs has the transcript). */
export const RESULT_TEXT_MAX_CHARS = 20_000;
/** A task's prompt in a view (the full prompt is the caller's own). */
export const PROMPT_PREVIEW_CHARS = 500;

const iso = (ms: number | undefined): string | undefined =>
  ms === undefined || ms <= 0 ? undefined : new Date(ms).toISOString();

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters cut)`;
}

export const MergeViewSchema = z.object({
  strategy: z.enum(MERGE_STRATEGIES),
  outcome: z
    .string()
    .describe('kept | pushed | pr_opened | merged | conflict | refused | patch | skipped | dry_run'),
  detail: z.string(),
  baseBranch: z.string().optional(),
  mergedCommit: z.string().optional(),
  conflicts: z.array(z.string()),
  prUrl: z.string().optional(),
  remote: z.string().optional(),
  pushed: z.boolean().optional(),
  diffstat: z.string().optional(),
});

export const TaskViewSchema = z.object({
  id: z.string(),
  state: z.enum(TASK_STATES),
  prompt: z.string().describe(`the prompt (its first ${PROMPT_PREVIEW_CHARS} characters)`),
  repository: z.string(),
  baseRef: z.string().optional(),
  priority: z.enum(PRIORITIES),
  createdAt: z.string(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  attempts: z.number().int(),
  workerId: z.string().optional().describe('the worker of the latest attempt'),
  result: z
    .object({
      text: z.string().describe(`the agent's final answer (cut past ${RESULT_TEXT_MAX_CHARS} characters)`),
      costUsd: z.number(),
      numTurns: z.number().int(),
      durationMs: z.number(),
      branch: z.string(),
      commit: z.string(),
      changedFiles: z.array(z.string()),
      merge: MergeViewSchema.optional(),
    })
    .optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  cancelReason: z.string().optional(),
  waitingReason: z.string().optional(),
  dependencies: z.array(z.object({ taskId: z.string(), state: z.string() })),
  dependents: z.array(z.string()),
  retryOf: z.string().optional(),
  resumedFrom: z.string().optional(),
});
export type TaskView = z.infer<typeof TaskViewSchema>;

export function taskView(task: Task): TaskView {
  const last = task.attempts[task.attempts.length - 1];
  const r = task.result;
  const m = r?.merge;
  const view: TaskView = {
    id: task.id,
    state: task.state,
    prompt: cut(task.spec.prompt, PROMPT_PREVIEW_CHARS),
    repository: task.spec.repository,
    baseRef: task.spec.baseRef,
    priority: task.spec.priority,
    createdAt: iso(task.createdAtMs) ?? new Date(0).toISOString(),
    startedAt: iso(task.startedAtMs),
    endedAt: iso(task.endedAtMs),
    attempts: task.attempts.length,
    workerId: last?.workerId || undefined,
    result:
      r === undefined
        ? undefined
        : {
            text: cut(r.text, RESULT_TEXT_MAX_CHARS),
            costUsd: r.costUsd,
            numTurns: r.numTurns,
            durationMs: r.durationMs,
            branch: r.branch,
            commit: r.commit,
            changedFiles: r.changedFiles,
            merge:
              m === undefined
                ? undefined
                : {
                    strategy: m.strategy,
                    outcome: m.outcome,
                    detail: m.detail,
                    baseBranch: m.baseBranch || undefined,
                    mergedCommit: m.mergedCommit || undefined,
                    conflicts: m.conflicts,
                    prUrl: m.prUrl || undefined,
                    remote: m.remote || undefined,
                    pushed: m.pushed,
                    diffstat: m.diffstat || undefined,
                  },
          },
    error: task.error ? { code: task.error.code, message: task.error.message } : undefined,
    cancelReason: task.cancelReason || undefined,
    waitingReason: task.waitingReason || undefined,
    dependencies: (task.dependencies ?? []).map((edge) => ({ taskId: edge.taskId, state: edge.state })),
    dependents: task.dependents ?? [],
    retryOf: task.retryOf || undefined,
    resumedFrom: task.resumedFrom || undefined,
  };
  return dropUndefined(view);
}

/** One line about a task, for the human text of a result. */
export function taskLine(task: TaskView): string {
  const tail =
    task.state === 'completed'
      ? task.result?.text
        ? `: ${firstLine(task.result.text)}`
        : ''
      : task.error
        ? `: ${task.error.code} ${firstLine(task.error.message)}`
        : task.cancelReason
          ? `: ${task.cancelReason}`
          : task.waitingReason
            ? ` (${task.waitingReason})`
            : '';
  return `${task.id} ${task.state}${tail}`;
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

export const TaskSummarySchema = z.object({
  id: z.string(),
  state: z.enum(TASK_STATES),
  prompt: z.string().describe('the first 120 characters of the prompt'),
  createdAt: z.string(),
  endedAt: z.string().optional(),
  errorCode: z.string().optional(),
});
export type TaskSummary = z.infer<typeof TaskSummarySchema>;

export function taskSummary(task: Task): TaskSummary {
  return dropUndefined({
    id: task.id,
    state: task.state,
    prompt: cut(task.spec.prompt, 120),
    createdAt: iso(task.createdAtMs) ?? new Date(0).toISOString(),
    endedAt: iso(task.endedAtMs),
    errorCode: task.error?.code,
  });
}

export const ScheduleViewSchema = z.object({
  id: z.string(),
  state: z.enum(SCHEDULE_STATES),
  stateReason: z.string().optional(),
  prompt: z.string().describe(`the template's prompt (its first ${PROMPT_PREVIEW_CHARS} characters)`),
  repository: z.string(),
  cron: z.string().optional(),
  timezone: z.string(),
  everyMs: z.number().int().optional(),
  runAt: z.string().optional(),
  maxRuns: z.number().int().optional(),
  expiresAt: z.string().optional(),
  missedRunPolicy: z.string(),
  concurrency: z.string(),
  afterSchedule: z.string().optional(),
  runCount: z.number().int(),
  lastFireAt: z.string().optional(),
  lastTaskId: z.string().optional(),
  nextRuns: z.array(z.string()).describe('the next fire times, while active'),
  createdAt: z.string(),
  history: z
    .array(
      z.object({
        fireTime: z.string(),
        taskId: z.string().optional(),
        outcome: z.string().describe('queued | skipped | missed | caught_up'),
        reason: z.string().optional(),
      }),
    )
    .optional()
    .describe('the latest runs, newest last (GetSchedule with includeHistory)'),
});
export type ScheduleView = z.infer<typeof ScheduleViewSchema>;

export function scheduleView(schedule: Schedule__Output, historyLimit = 0): ScheduleView {
  const spec = schedule.spec;
  return dropUndefined({
    id: schedule.id,
    state: (SCHEDULE_STATES as readonly string[]).includes(schedule.state)
      ? (schedule.state as ScheduleView['state'])
      : 'active',
    stateReason: schedule.stateReason || undefined,
    prompt: cut(spec?.template?.prompt ?? '', PROMPT_PREVIEW_CHARS),
    repository: spec?.template?.repository ?? '',
    cron: spec?.cron || undefined,
    timezone: spec?.timeZone || 'UTC',
    everyMs: spec?.everyMs || undefined,
    runAt: spec?.oneTime || undefined,
    maxRuns: spec?.maxRuns ?? undefined,
    expiresAt: spec?.expiresAt || undefined,
    missedRunPolicy: spec?.missedRunPolicy || 'skip',
    concurrency: spec?.concurrency || 'skip',
    afterSchedule: spec?.afterSchedule || undefined,
    runCount: schedule.runCount,
    lastFireAt: iso(schedule.lastFireAtMs),
    lastTaskId: schedule.lastTaskId || undefined,
    nextRuns: schedule.nextFireTimesMs.map((ms) => new Date(ms).toISOString()),
    createdAt: iso(schedule.createdAtMs) ?? new Date(0).toISOString(),
    history:
      historyLimit > 0
        ? schedule.history.slice(-historyLimit).map((run) =>
            dropUndefined({
              fireTime: new Date(run.fireTimeMs).toISOString(),
              taskId: run.taskId || undefined,
              outcome: run.outcome,
              reason: run.reason || undefined,
            }),
          )
        : undefined,
  });
}

export function scheduleLine(schedule: ScheduleView): string {
  const timing = schedule.cron
    ? `cron "${schedule.cron}" ${schedule.timezone}`
    : schedule.everyMs
      ? `every ${schedule.everyMs} ms`
      : `once at ${schedule.runAt ?? '?'}`;
  const next = schedule.nextRuns[0] ? `, next ${schedule.nextRuns[0]}` : '';
  return `${schedule.id} ${schedule.state} (${timing}, ${schedule.runCount} runs${next})`;
}

export const WorkerViewSchema = z.object({
  id: z.string(),
  host: z.string(),
  state: z.string().describe('running | draining | paused (rate limited) | dead'),
  runningTaskIds: z.array(z.string()),
  capacity: z.number().int().describe('tasks it allows at once now'),
  maxCapacity: z.number().int(),
  labels: z.array(z.string()),
  load1: z.number(),
  cpus: z.number().int(),
  freeMemoryBytes: z.number(),
  lastHeartbeatAt: z.string().optional(),
  pausedUntil: z.string().optional(),
  version: z.string(),
});
export type WorkerView = z.infer<typeof WorkerViewSchema>;

export function workerView(worker: WorkerInfo__Output): WorkerView {
  return dropUndefined({
    id: worker.id,
    host: worker.host,
    state: worker.state,
    runningTaskIds: worker.runningTaskIds,
    capacity: worker.capacity,
    maxCapacity: worker.maxCapacity,
    labels: worker.labels,
    load1: worker.load1,
    cpus: worker.cpus,
    freeMemoryBytes: worker.freeMemoryBytes,
    lastHeartbeatAt: iso(worker.lastHeartbeatMs),
    pausedUntil: iso(worker.pausedUntilMs),
    version: worker.version,
  });
}

/** Drops undefined properties (recursively in plain objects): structured content is JSON. */
function dropUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => dropUndefined(item)) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, dropUndefined(v)]),
  ) as T;
}
