import { z } from 'zod';
import { CronExpressionSchema, TimeZoneSchema, type ScheduleTiming } from './schedule-time';
import { TaskSpecSchema } from './task';

export const ScheduleIdSchema = z
  .string()
  .regex(
    /^sched-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    'must look like sched-<uuid>',
  );

/** What happens to fire times that passed while the cluster was down (or the schedule paused). */
export const MISSED_RUN_POLICIES = ['skip', 'catchup', 'fail'] as const;
/** What a fire does while the schedule's previous run is still active. */
export const SCHEDULE_CONCURRENCIES = ['skip', 'queue', 'allow'] as const;
export const SCHEDULE_STATES = ['active', 'paused', 'cancelled', 'completed', 'expired'] as const;
export type ScheduleState = (typeof SCHEDULE_STATES)[number];

export const SCHEDULE_LIMITS = {
  /** How many missed runs `catchup` queues at most, by default and at most. */
  defaultCatchupLimit: 10,
  maxCatchupLimit: 1_000,
  /** `everyMs` at least this. */
  minEveryMs: 1_000,
  /** History entries kept per schedule. */
  historyMax: 1_000,
} as const;

const IsoInstantSchema = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 instant, e.g. 2026-12-01T09:00:00Z',
});

/**
 * A schedule as a caller asks for it: a task template (everything Delegate accepts) and exactly
 * one timing: `cron` (5 fields, or 6 with leading seconds) in `timezone`, `everyMs`, or `runAt`.
 */
export const ScheduleSpecSchema = z
  .object({
    template: TaskSpecSchema,
    cron: CronExpressionSchema.optional(),
    timezone: TimeZoneSchema.default('UTC'),
    everyMs: z.number().int().min(SCHEDULE_LIMITS.minEveryMs).optional(),
    runAt: IsoInstantSchema.optional(),
    maxRuns: z.number().int().min(1, 'must be at least 1').optional(),
    expiresAt: IsoInstantSchema.optional(),
    missedRunPolicy: z.enum(MISSED_RUN_POLICIES).default('skip'),
    catchupLimit: z
      .number()
      .int()
      .min(1)
      .max(SCHEDULE_LIMITS.maxCatchupLimit)
      .default(SCHEDULE_LIMITS.defaultCatchupLimit),
    concurrency: z.enum(SCHEDULE_CONCURRENCIES).default('skip'),
    /** Each run waits for the current run of this schedule to finish. */
    afterSchedule: ScheduleIdSchema.optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const timings = [spec.cron, spec.everyMs, spec.runAt].filter((value) => value !== undefined);
    if (timings.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['cron'],
        message: 'give exactly one of cron, everyMs (every) and runAt (one_time)',
      });
    }
  });
export type ScheduleSpec = z.output<typeof ScheduleSpecSchema>;
export type ScheduleSpecInput = z.input<typeof ScheduleSpecSchema>;

/** The timing of a validated spec. */
export function timingOf(spec: ScheduleSpec): ScheduleTiming {
  if (spec.cron !== undefined) return { kind: 'cron', cron: spec.cron, timezone: spec.timezone };
  if (spec.everyMs !== undefined) return { kind: 'every', everyMs: spec.everyMs };
  return { kind: 'once', runAtMs: Date.parse(spec.runAt ?? '') };
}

/** One fire of a schedule, as its history keeps it. */
export interface ScheduleRun {
  fireTimeMs: number;
  /** When the task was queued (or the decision made, for a run that made none). */
  queuedAtMs: number;
  taskId?: string;
  /** `queued`, `skipped` (with the reason), `missed` (policy fail), `caught_up`. */
  outcome: 'queued' | 'skipped' | 'missed' | 'caught_up';
  reason?: string;
}

/** A schedule as stored and read back. */
export interface Schedule {
  id: string;
  /** The tenant that owns it; its runs are that tenant's tasks. */
  tenant: string;
  spec: ScheduleSpec;
  state: ScheduleState;
  stateReason?: string;
  createdAtMs: number;
  updatedAtMs: number;
  runCount: number;
  /** The latest fire time handled (queued, skipped or missed). */
  lastFireAtMs?: number;
  /** The next fire time, while active. */
  nextFireAtMs?: number;
  /** The task of the latest run. */
  lastTaskId?: string;
  history: ScheduleRun[];
}
