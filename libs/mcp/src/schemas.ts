import { z } from 'zod';
import {
  AFFINITY_MAX_CHARS,
  AffinitySchema,
  CronExpressionSchema,
  DEPENDENCY_FAILURE_POLICIES,
  GitRefSchema,
  MAX_REQUIRED_LABELS,
  MERGE_STRATEGIES,
  MISSED_RUN_POLICIES,
  parseDuration,
  PERMISSION_MODES,
  PRIORITIES,
  RepositorySchema,
  SCHEDULE_CONCURRENCIES,
  SCHEDULE_LIMITS,
  SCHEDULE_STATES,
  ScheduleIdSchema,
  TASK_LIMITS,
  TASK_STATES,
  TaskIdSchema,
  TimeZoneSchema,
  WORKER_LABEL_PATTERN,
  WorkingDirectorySchema,
  WORKTREE_CLEANUPS,
} from '@claudine/core';

/**
 * The input schemas of the tools: every field described with its range and default, so a model
 * reads them from `tools/list`; every object strict, so an unknown field is refused (nothing is
 * sent to the coordinator then). The limits are libs/core's, the ones the coordinator enforces.
 */

/** TaskLogs: the most characters of transcript one call returns, by default and at most. */
export const LOGS_LIMITS = {
  defaultMaxChars: 40_000,
  minMaxChars: 1_000,
  maxMaxChars: 200_000,
  maxTail: 10_000,
};
/** WaitForTask: how many tasks, and how long (seconds). */
export const WAIT_LIMITS = { maxTasks: 100, defaultTimeoutSeconds: 600, maxTimeoutSeconds: 3_600 };
/** TaskStatus and ListSchedules without an id: how many rows at most. */
export const LIST_LIMITS = { defaultTasks: 20, defaultSchedules: 50, max: 200 };

const taskId = (what: string) => TaskIdSchema.describe(`${what} (task-<uuid>, as DelegateTask returned it)`);
const scheduleId = () =>
  ScheduleIdSchema.describe('the schedule id (sched-<uuid>, as ScheduleTask returned it)');

const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** `since`: a duration back from now (`10m`) or an ISO 8601 instant, as epoch ms; undefined when neither. */
export function parseSince(text: string, nowMs = Date.now()): number | undefined {
  const trimmed = text.trim();
  if (ISO_TIME.test(trimmed)) {
    const time = Date.parse(trimmed);
    return Number.isNaN(time) ? undefined : time;
  }
  try {
    return nowMs - parseDuration(trimmed);
  } catch {
    return undefined;
  }
}

const IsoInstant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 instant, e.g. 2026-12-01T09:00:00Z',
});

/** The fields of a task: DelegateTask's, and the template of ScheduleTask. */
const taskFields = {
  prompt: z
    .string()
    .min(1)
    .max(TASK_LIMITS.promptMaxChars)
    .refine((value) => value.trim().length > 0, 'must not be blank')
    .describe(
      `What the agent (Claude Code, in its own git worktree) should do. 1 to ${TASK_LIMITS.promptMaxChars} characters. ` +
        'Self-contained: the agent does not see this conversation.',
    ),
  repository: RepositorySchema.optional().describe(
    'The repository: an absolute path the workers can reach, or a git URL (https://, ssh://, git://, file://, user@host:path). ' +
      'Default: the git repository the Claudine MCP server was started in (when it was), with its current branch as baseRef.',
  ),
  baseRef: GitRefSchema.optional().describe(
    'The branch, tag or commit to start from. Default: the current branch of the default repository, else the repository HEAD. Not with continueFrom.',
  ),
  workingDirectory: WorkingDirectorySchema.optional().describe(
    'A directory relative to the repository root where the agent starts (no "..", not absolute). Default: the root.',
  ),
  priority: z.enum(PRIORITIES).optional().describe('P0 runs first, then P1, then P2. Default P2.'),
  timeout: z
    .number()
    .int()
    .min(TASK_LIMITS.timeoutMinMs)
    .max(TASK_LIMITS.timeoutMaxMs)
    .optional()
    .describe(
      `Stop the agent after this many milliseconds: ${TASK_LIMITS.timeoutMinMs} (1 s) to ${TASK_LIMITS.timeoutMaxMs} (24 h). Default ${TASK_LIMITS.defaultTimeoutMs} (30 min).`,
    ),
  maxBudgetUsd: z
    .number()
    .positive()
    .max(TASK_LIMITS.maxBudgetUsd)
    .optional()
    .describe(
      `Stop the agent, and fail the task (BUDGET_EXCEEDED), past this cost in US dollars: more than 0, at most ${TASK_LIMITS.maxBudgetUsd}. Default: no budget.`,
    ),
  maxAttempts: z
    .number()
    .int()
    .min(1)
    .max(TASK_LIMITS.maxAttemptsMax)
    .optional()
    .describe(
      `Tries in all when the infrastructure fails (a worker lost, a crash before the agent started): 1 to ${TASK_LIMITS.maxAttemptsMax}. Default ${TASK_LIMITS.defaultMaxAttempts}. A failing agent is not retried.`,
    ),
  mergeStrategy: z
    .enum(MERGE_STRATEGIES)
    .optional()
    .describe(
      'What becomes of the work when the task completes: branch (default: the task branch claudine/<task-id> is kept, and pushed for a URL repository) | pr (pushed, and a pull request opened with gh) | auto (merged into the base branch, conflicts refused) | patch (a patch is kept) | none.',
    ),
  worktreeCleanup: z
    .enum(WORKTREE_CLEANUPS)
    .optional()
    .describe(
      'The worktree afterwards: auto (default: removed after success, kept otherwise) | keep | delete.',
    ),
  dryRun: z
    .boolean()
    .optional()
    .describe(
      'Run the agent, then only report what would be committed and merged (no branch, no merge). Default false.',
    ),
  dependsOn: z
    .array(TaskIdSchema)
    .max(TASK_LIMITS.maxDependencies)
    .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a task id')
    .optional()
    .describe(
      `Task ids that must finish first (at most ${TASK_LIMITS.maxDependencies}, no repeats): the task stays blocked until then. Default none.`,
    ),
  onDependencyFailure: z
    .enum(DEPENDENCY_FAILURE_POLICIES)
    .optional()
    .describe(
      'When a dependency fails or is cancelled: fail (default: this task fails too) | cancel | continue (it runs anyway, told which one failed).',
    ),
  continueFrom: TaskIdSchema.optional().describe(
    "A task this one builds on: it waits for it, starts from its branch, and its prompt is given that task's result. Not with baseRef.",
  ),
  labels: z
    .record(
      z
        .string()
        .regex(
          /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/,
          'label keys are 1-63 letters, digits, ".", "_", "/" or "-"',
        ),
      z.string().max(256),
    )
    .refine(
      (labels) => Object.keys(labels).length <= TASK_LIMITS.maxLabels,
      `at most ${TASK_LIMITS.maxLabels} labels`,
    )
    .optional()
    .describe(
      `Free key/value labels kept on the task (at most ${TASK_LIMITS.maxLabels}; values up to 256 characters).`,
    ),
  requires: z
    .array(
      z
        .string()
        .regex(
          WORKER_LABEL_PATTERN,
          'a label is 1-63 letters, digits, ":", ".", "_" or "-", starting with a letter or digit',
        ),
    )
    .max(MAX_REQUIRED_LABELS)
    .optional()
    .describe(
      `Worker labels the task needs (at most ${MAX_REQUIRED_LABELS}, e.g. ["gpu", "repo:web"]): it runs only on a worker that has every one (ListWorkers shows them).`,
    ),
  affinity: AffinitySchema.optional().describe(
    `A task id, or a key related tasks share (at most ${AFFINITY_MAX_CHARS} characters): prefer the worker that last ran it, for warm caches.`,
  ),
  model: z
    .string()
    .trim()
    .max(200)
    .regex(/^[A-Za-z0-9._:[\]@/-]*$/, 'is not a model name')
    .optional()
    .describe(
      "The Claude model for the agent, e.g. claude-sonnet-4-5 or an alias (sonnet, opus). Default: the cluster's.",
    ),
  permissionMode: z
    .enum(PERMISSION_MODES)
    .optional()
    .describe("The agent's permission mode. Default: the cluster's."),
  allowedTools: z
    .array(z.string().trim().min(1).max(500))
    .max(TASK_LIMITS.maxAllowedTools)
    .optional()
    .describe(
      `Claude Code permission rules the agent may use without asking, e.g. "Bash(npm test)" (at most ${TASK_LIMITS.maxAllowedTools}).`,
    ),
  maxTurns: z
    .number()
    .int()
    .min(1)
    .max(TASK_LIMITS.maxTurnsMax)
    .optional()
    .describe(`Stop the agent after this many turns: 1 to ${TASK_LIMITS.maxTurnsMax}. Default: no limit.`),
  appendSystemPrompt: z
    .string()
    .max(TASK_LIMITS.appendSystemPromptMaxChars)
    .optional()
    .describe(
      `Extra system prompt for the agent (at most ${TASK_LIMITS.appendSystemPromptMaxChars} characters).`,
    ),
};

const noBaseRefWithContinueFrom = (
  value: { baseRef?: string; continueFrom?: string },
  ctx: z.RefinementCtx,
) => {
  if (value.baseRef !== undefined && value.continueFrom !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['baseRef'],
      message: "must not be given with continueFrom (the work starts from that task's branch)",
    });
};

export const DelegateTaskInput = z.object(taskFields).strict().superRefine(noBaseRefWithContinueFrom);
export type DelegateTaskInput = z.output<typeof DelegateTaskInput>;

/** The task fields as they arrive (DelegateTask's input, or ScheduleTask's without its timing). */
export type TaskFields = z.output<z.ZodObject<typeof taskFields>>;

export const TaskStatusInput = z
  .object({
    taskId: taskId('The task to show in detail; without it, the latest tasks, newest first').optional(),
    states: z
      .array(z.enum(TASK_STATES))
      .max(TASK_STATES.length)
      .optional()
      .describe(
        `Without taskId: only tasks in these states (${TASK_STATES.join(', ')}). Default: every state.`,
      ),
    limit: z
      .number()
      .int()
      .min(1)
      .max(LIST_LIMITS.max)
      .optional()
      .describe(
        `Without taskId: how many tasks, 1 to ${LIST_LIMITS.max}. Default ${LIST_LIMITS.defaultTasks}.`,
      ),
  })
  .strict();

export const TaskLogsInput = z
  .object({
    taskId: taskId('The task whose transcript to read'),
    tail: z
      .number()
      .int()
      .min(1)
      .max(LOGS_LIMITS.maxTail)
      .optional()
      .describe(`Only the last N events (1 to ${LOGS_LIMITS.maxTail}). Default: every event kept.`),
    since: z
      .string()
      .max(64)
      .refine((text) => parseSince(text) !== undefined, {
        message:
          'must be a duration back from now (10m, 1h30m) or an ISO 8601 instant (2026-01-31T12:00:00Z)',
      })
      .optional()
      .describe(
        'Only events since then: a duration back from now (30s, 10m, 2h) or an ISO 8601 instant. Default: all.',
      ),
    afterOffset: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        'Only events after this offset (the lastOffset of a previous call), to read on from there. Default 0.',
      ),
    maxChars: z
      .number()
      .int()
      .min(LOGS_LIMITS.minMaxChars)
      .max(LOGS_LIMITS.maxMaxChars)
      .optional()
      .describe(
        `At most this many characters of transcript (${LOGS_LIMITS.minMaxChars} to ${LOGS_LIMITS.maxMaxChars}, default ${LOGS_LIMITS.defaultMaxChars}); past it the oldest part is cut, and the result says so.`,
      ),
  })
  .strict();

export const CancelTaskInput = z
  .object({
    taskId: taskId('The task to cancel (queued, blocked or running)'),
    reason: z.string().max(1_000).optional().describe('Why, recorded on the task (at most 1000 characters).'),
  })
  .strict();

export const RetryTaskInput = z
  .object({
    taskId: taskId('A finished task (failed, cancelled or completed) to run again as a new task, same spec'),
  })
  .strict();

export const ResumeTaskInput = z
  .object({
    taskId: taskId(
      'A finished task to continue: its Claude session where the worker still holds it, else a new one given its context',
    ),
    additionalContext: z
      .string()
      .max(TASK_LIMITS.promptMaxChars)
      .optional()
      .describe(`What the agent should do now, or know (at most ${TASK_LIMITS.promptMaxChars} characters).`),
  })
  .strict();

const scheduleFields = {
  cron: CronExpressionSchema.optional().describe(
    'A cron expression: 5 fields (minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5") or 6 with leading seconds, in timezone. Give exactly one of cron, everyMs and runAt.',
  ),
  timezone: TimeZoneSchema.optional().describe(
    'The IANA time zone of cron (e.g. Europe/Paris). Default UTC.',
  ),
  everyMs: z
    .number()
    .int()
    .min(SCHEDULE_LIMITS.minEveryMs)
    .optional()
    .describe(`A fixed interval in milliseconds instead of cron (at least ${SCHEDULE_LIMITS.minEveryMs}).`),
  runAt: IsoInstant.optional().describe(
    'Once, at this ISO 8601 instant in the future (e.g. 2026-12-01T09:00:00Z).',
  ),
  maxRuns: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Stop after this many runs (at least 1). Default: no limit.'),
  expiresAt: IsoInstant.optional().describe('No run after this ISO 8601 instant. Default: never.'),
  missedRunPolicy: z
    .enum(MISSED_RUN_POLICIES)
    .optional()
    .describe(
      'Runs missed while the cluster was down or the schedule paused: skip (default) | catchup | fail.',
    ),
  catchupLimit: z
    .number()
    .int()
    .min(1)
    .max(SCHEDULE_LIMITS.maxCatchupLimit)
    .optional()
    .describe(
      `With catchup: how many missed runs to queue at most (1 to ${SCHEDULE_LIMITS.maxCatchupLimit}, default ${SCHEDULE_LIMITS.defaultCatchupLimit}).`,
    ),
  concurrency: z
    .enum(SCHEDULE_CONCURRENCIES)
    .optional()
    .describe('When the previous run is still active: skip (default) | queue (after it) | allow.'),
  afterSchedule: ScheduleIdSchema.optional().describe(
    'Each run waits for the latest run of this schedule (sched-<uuid>).',
  ),
};

export const ScheduleTaskInput = z
  .object({ ...taskFields, ...scheduleFields })
  .strict()
  .superRefine((value, ctx) => {
    noBaseRefWithContinueFrom(value, ctx);
    const timings = [value.cron, value.everyMs, value.runAt].filter((timing) => timing !== undefined);
    if (timings.length !== 1)
      ctx.addIssue({
        code: 'custom',
        path: ['cron'],
        message: 'give exactly one of cron, everyMs and runAt',
      });
  });
export type ScheduleTaskInput = z.output<typeof ScheduleTaskInput>;

export const ListSchedulesInput = z
  .object({
    states: z
      .array(z.enum(SCHEDULE_STATES))
      .max(SCHEDULE_STATES.length)
      .optional()
      .describe(`Only schedules in these states (${SCHEDULE_STATES.join(', ')}). Default: every state.`),
    limit: z
      .number()
      .int()
      .min(1)
      .max(LIST_LIMITS.max)
      .optional()
      .describe(
        `How many schedules, newest first: 1 to ${LIST_LIMITS.max}. Default ${LIST_LIMITS.defaultSchedules}.`,
      ),
  })
  .strict();

export const GetScheduleInput = z
  .object({
    scheduleId: scheduleId(),
    includeHistory: z.boolean().optional().describe('Include its latest runs. Default true.'),
    historyLimit: z
      .number()
      .int()
      .min(1)
      .max(SCHEDULE_LIMITS.historyMax)
      .optional()
      .describe(`How many of the latest runs: 1 to ${SCHEDULE_LIMITS.historyMax}. Default 20.`),
  })
  .strict();

export const ScheduleIdInput = z.object({ scheduleId: scheduleId() }).strict();

export const ListWorkersInput = z.object({}).strict();

export const WaitForTaskInput = z
  .object({
    taskIds: z
      .array(TaskIdSchema)
      .min(1)
      .max(WAIT_LIMITS.maxTasks)
      .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a task id')
      .describe(`The tasks to wait for (1 to ${WAIT_LIMITS.maxTasks} task ids, no repeats).`),
    mode: z
      .enum(['any', 'all'])
      .optional()
      .describe('all (default): until every task has ended; any: until the first one ends.'),
    timeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(WAIT_LIMITS.maxTimeoutSeconds)
      .optional()
      .describe(
        `Give up after this many seconds (1 to ${WAIT_LIMITS.maxTimeoutSeconds}, default ${WAIT_LIMITS.defaultTimeoutSeconds}) and return the tasks as they are (timedOut true); then call again to keep waiting.`,
      ),
  })
  .strict();
