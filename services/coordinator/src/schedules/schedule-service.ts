import { createHash, randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  AppError,
  canSee,
  fireTimesBetween,
  SYSTEM_CALLER,
  TenantSchema,
  type Caller,
  nextFireTimes,
  parseOrThrow,
  SCHEDULE_STATES,
  ScheduleIdSchema,
  ScheduleSpecSchema,
  timingOf,
  type Schedule,
  type ScheduleRun,
  type ScheduleSpec,
  type ScheduleState,
  type TaskSpec,
} from '@claudine/core';
import type { Logger } from '@claudine/observability';
import { closeRedis, type Keyspace, type ScheduleStore } from '@claudine/store';
import type { TaskService } from '../tasks/task-service';

export const SCHEDULE_QUEUE_NAME = 'schedules';
const FIRE_JOB = 'fire';
/** How many next fire times a schedule shows. */
const NEXT_FIRES_SHOWN = 5;
/** Missed runs looked at, at most, when the cluster comes back. */
const DUE_SCAN_LIMIT = 10_000;
const SCHEDULE_LABEL = 'claudine/schedule';

interface FireJobData {
  scheduleId: string;
  fireAtMs: number;
}

export interface ScheduleServiceOptions {
  redis: Redis;
  keys: Keyspace;
  store: ScheduleStore;
  tasks: TaskService;
  logger: Logger;
  /** A fire later than this after its time counts as missed (the missed-run policy applies). */
  missGraceMs: number;
  /** How often active schedules are checked for a lost fire job. */
  reconcileIntervalMs: number;
  /**
   * The reconcile pass (at start and on its timer) runs only while this says so (the coordinator
   * lease); firing runs on every coordinator, each fire job being processed once. @default always
   */
  isLeader?: () => boolean;
  /**
   * A fire was handled (and recorded) here, this late after its fire time (milliseconds; a
   * catch-up fire handling several runs counts once, from the fire it was for).
   */
  onFired?: (latenessMs: number) => void;
  /**
   * The fire worker's blocking connection (closed by close()). Default: a duplicate of `redis`;
   * pass one from createRedisConnection for Sentinel and Cluster, whose duplicate() keeps the
   * producer's fail-fast options.
   */
  workerConnection?: Redis;
}

/**
 * Schedules: the API (create, read, pause, resume, cancel) and the firing. Each fire is a BullMQ
 * delayed job whose id names the schedule and the fire time, added by whoever handles the previous
 * fire (or creates, resumes, or reconciles the schedule): a duplicate id is ignored, so however
 * many coordinators run, one job exists per fire time, and one of them processes it. A fire
 * records what it did in one Lua step that refuses a fire time already handled, and the tasks it
 * queues have ids derived from the schedule and the fire time, so a fire handled twice makes its
 * tasks once. BullMQ's own job schedulers are not used: they do not backfill, cannot pause, and
 * duplicated under concurrent upserts (see docs/architecture.md).
 */
export class ScheduleService {
  private readonly queue: Queue<FireJobData>;
  private readonly worker: Worker<FireJobData>;
  /** The worker's blocking connection: BullMQ does not close a connection it was given. */
  private readonly workerConnection: Redis;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private reconciling: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: ScheduleServiceOptions) {
    const connection =
      options.workerConnection ??
      options.redis.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true });
    this.workerConnection = connection;
    this.queue = new Queue<FireJobData>(SCHEDULE_QUEUE_NAME, {
      connection: options.redis,
      prefix: options.keys.bullPrefix,
    });
    this.worker = new Worker<FireJobData>(SCHEDULE_QUEUE_NAME, (job) => this.process(job), {
      connection,
      prefix: options.keys.bullPrefix,
      concurrency: 8,
      autorun: false,
    });
    this.worker.on('error', (error) => options.logger.warn({ err: error }, 'schedule worker error'));
  }

  async start(): Promise<void> {
    void this.worker.run();
    await this.worker.waitUntilReady();
    await this.reconcileIfLeader();
    this.reconcileTimer = setInterval(() => void this.reconcileIfLeader(), this.options.reconcileIntervalMs);
  }

  /** The reconcile pass, on the lease holder only; also run when a coordinator gains the lease. */
  async reconcileIfLeader(): Promise<void> {
    if (this.closed || this.reconciling || (this.options.isLeader && !this.options.isLeader())) return;
    this.reconciling = this.reconcile()
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'schedule reconcile failed'))
      .finally(() => (this.reconciling = undefined));
    await this.reconciling;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    await this.reconciling;
    await this.worker.close();
    await this.queue.close();
    await closeRedis(this.workerConnection);
  }

  /**
   * @throws AppError INVALID_ARGUMENT naming the field (the cron parser's message, the time zone,
   *   a past runAt, expiresAt before the first run, maxRuns < 1); nothing is created then.
   */
  async create(input: unknown, caller: Caller = SYSTEM_CALLER, nowMs = Date.now()): Promise<Schedule> {
    const id = `sched-${randomUUID()}`;
    const { spec, first } = await this.validate(input, id, nowMs, nowMs, caller);
    await this.options.store.create(id, spec, nowMs, first, caller.tenant);
    await this.enqueueFire(id, first, nowMs);
    return this.get(id, caller);
  }

  /**
   * Replaces a schedule's spec, keeping its run count and history. An active schedule's next fire
   * follows the new timing (a job left for the old one finds nothing due, and only passes on).
   */
  async update(
    id: string,
    input: unknown,
    caller: Caller = SYSTEM_CALLER,
    nowMs = Date.now(),
  ): Promise<Schedule> {
    const current = await this.get(id, caller);
    // The template is checked as the schedule's tenant's: its runs will be that tenant's tasks.
    const { spec, first } = await this.validate(input, current.id, nowMs, current.createdAtMs, {
      ...caller,
      tenant: current.tenant,
    });
    await this.options.store.updateSpec(current.id, spec, first, nowMs);
    if (current.state === 'active') {
      if (current.nextFireAtMs !== undefined && current.nextFireAtMs !== first)
        await this.removeFire(current.id, current.nextFireAtMs);
      await this.enqueueFire(current.id, first, nowMs);
    }
    return this.get(id);
  }

  /** The checks of a spec beyond its schema, and its first fire time from now. */
  private async validate(
    input: unknown,
    id: string,
    nowMs: number,
    anchorMs: number,
    caller: Caller,
  ): Promise<{ spec: ScheduleSpec; first: number }> {
    const spec = parseOrThrow(ScheduleSpecSchema, input, 'spec');
    await this.options.tasks.checkSpec(spec.template, caller);
    const timing = timingOf(spec);
    if (timing.kind === 'once' && timing.runAtMs <= nowMs)
      throw invalid('spec.runAt', `${spec.runAt} is in the past`);
    const [first] = nextFireTimes(timing, nowMs, 1, { anchorMs });
    if (first === undefined) throw invalid('spec.cron', 'it never fires');
    if (spec.expiresAt !== undefined && Date.parse(spec.expiresAt) <= first)
      throw invalid(
        'spec.expiresAt',
        `${spec.expiresAt} is not after the first run (${new Date(first).toISOString()})`,
      );
    if (spec.afterSchedule === id) throw invalid('spec.afterSchedule', 'a schedule cannot wait for itself');
    if (spec.afterSchedule !== undefined) {
      const after = await this.options.store.get(spec.afterSchedule);
      // Another tenant's schedule reads as unknown.
      if (!after || !canSee(caller, after.tenant))
        throw invalid('spec.afterSchedule', `unknown schedule ${spec.afterSchedule}`);
    }
    return { spec, first };
  }

  /** @throws AppError SCHEDULE_NOT_FOUND, also for another tenant's schedule */
  async get(id: string, caller: Caller = SYSTEM_CALLER): Promise<Schedule> {
    const schedule = await this.options.store.getOrThrow(parseOrThrow(ScheduleIdSchema, id, 'schedule_id'));
    if (!canSee(caller, schedule.tenant))
      throw new AppError('SCHEDULE_NOT_FOUND', `schedule ${schedule.id} does not exist`);
    return schedule;
  }

  /** The next fire times of an active schedule (a few), from its next one on. */
  upcoming(schedule: Schedule): number[] {
    if (schedule.state !== 'active' || schedule.nextFireAtMs === undefined) return [];
    const timing = timingOf(schedule.spec);
    const until = schedule.spec.expiresAt === undefined ? undefined : Date.parse(schedule.spec.expiresAt);
    const rest = nextFireTimes(timing, schedule.nextFireAtMs, NEXT_FIRES_SHOWN - 1, {
      anchorMs: schedule.createdAtMs,
      untilMs: until,
    });
    const left = schedule.spec.maxRuns === undefined ? Infinity : schedule.spec.maxRuns - schedule.runCount;
    return [schedule.nextFireAtMs, ...rest].slice(0, Math.max(0, Math.min(NEXT_FIRES_SHOWN, left)));
  }

  /** A tenant's token lists its tenant's schedules; an admin all, or one tenant's with `tenant`. */
  async list(
    input: {
      states: string[];
      pageSize: number;
      pageToken: string;
      tenant?: string;
    },
    caller: Caller = SYSTEM_CALLER,
  ): Promise<{ schedules: Schedule[]; nextPageToken: string }> {
    const states = input.states.map((state, index) => {
      if (!(SCHEDULE_STATES as readonly string[]).includes(state))
        throw invalid(
          `states[${index}]`,
          `"${state}" is not a schedule state (${SCHEDULE_STATES.join(', ')})`,
        );
      return state as ScheduleState;
    });
    const pageSize = input.pageSize === 0 ? 50 : input.pageSize;
    if (pageSize > 500) throw invalid('page_size', 'must be at most 500');
    const offset = input.pageToken === '' ? 0 : Number(input.pageToken);
    if (!Number.isInteger(offset) || offset < 0)
      throw invalid('page_token', 'is not a token from a previous response');
    const wanted = input.tenant ? parseOrThrow(TenantSchema, input.tenant, 'tenant') : undefined;
    const page = await this.options.store.list(
      states,
      pageSize,
      offset,
      caller.admin ? wanted : caller.tenant,
    );
    const schedules = (await Promise.all(page.ids.map((id) => this.options.store.get(id)))).filter(
      (schedule): schedule is Schedule => schedule !== undefined,
    );
    return { schedules, nextPageToken: page.next === undefined ? '' : String(page.next) };
  }

  async pause(id: string, caller: Caller = SYSTEM_CALLER): Promise<Schedule> {
    const schedule = await this.get(id, caller);
    await this.options.store.setState(schedule.id, ['active'], 'paused', 'paused', undefined);
    if (schedule.nextFireAtMs !== undefined) await this.removeFire(schedule.id, schedule.nextFireAtMs);
    return this.get(id);
  }

  /**
   * Resumes a paused schedule. The runs it missed while paused are not fired, unless its policy
   * is catchup: then its next fire handles them (bounded by catchupLimit).
   */
  async resume(id: string, caller: Caller = SYSTEM_CALLER, nowMs = Date.now()): Promise<Schedule> {
    const schedule = await this.get(id, caller);
    const timing = timingOf(schedule.spec);
    const expiry = expiryOf(schedule.spec);
    // With catchup, the runs missed while paused are handled now, if there are any.
    const missedWhilePaused =
      schedule.spec.missedRunPolicy === 'catchup' &&
      fireTimesBetween(
        timing,
        schedule.lastFireAtMs ?? schedule.createdAtMs,
        Math.min(nowMs, expiry ?? nowMs),
        1,
        {
          anchorMs: schedule.createdAtMs,
        },
      ).times.length > 0;
    const catchup = missedWhilePaused;
    const [next] = catchup
      ? [nowMs]
      : nextFireTimes(timing, nowMs, 1, { anchorMs: schedule.createdAtMs, untilMs: expiry });
    if (next === undefined) {
      await this.options.store.setState(schedule.id, ['paused'], 'completed', 'no fire time left', undefined);
      return this.get(id);
    }
    await this.options.store.setState(schedule.id, ['paused'], 'active', '', next, {
      // Without catchup, what was missed while paused stays behind.
      lastFireAtMs: catchup ? undefined : nowMs,
      nowMs,
    });
    await this.enqueueFire(schedule.id, next, nowMs);
    return this.get(id);
  }

  async cancel(id: string, caller: Caller = SYSTEM_CALLER): Promise<Schedule> {
    const schedule = await this.get(id, caller);
    await this.options.store.setState(schedule.id, ['active', 'paused'], 'cancelled', 'cancelled', undefined);
    if (schedule.nextFireAtMs !== undefined) await this.removeFire(schedule.id, schedule.nextFireAtMs);
    return this.get(id);
  }

  /** Makes sure every active schedule has its next fire job (a lost add, a crash). */
  async reconcile(nowMs = Date.now()): Promise<void> {
    for (const id of await this.options.store.activeScheduleIds()) {
      try {
        const schedule = await this.options.store.get(id);
        if (schedule?.state === 'active' && schedule.nextFireAtMs !== undefined)
          await this.enqueueFire(id, schedule.nextFireAtMs, nowMs);
      } catch (error) {
        // One unreadable schedule must not keep the others from their fires.
        this.options.logger.warn({ err: error, scheduleId: id }, 'could not reconcile a schedule');
      }
    }
  }

  private async enqueueFire(scheduleId: string, fireAtMs: number, nowMs: number): Promise<void> {
    await this.queue.add(
      FIRE_JOB,
      { scheduleId, fireAtMs },
      {
        jobId: `fire-${scheduleId}-${fireAtMs}`,
        delay: Math.max(0, fireAtMs - nowMs),
        removeOnComplete: { age: 3_600 },
        removeOnFail: { age: 86_400 },
        attempts: 5,
        backoff: { type: 'exponential', delay: 200 },
      },
    );
  }

  private async removeFire(scheduleId: string, fireAtMs: number): Promise<void> {
    // A job being processed cannot be removed; it finds the schedule inactive and does nothing.
    await this.queue.remove(`fire-${scheduleId}-${fireAtMs}`).catch(() => 0);
  }

  private async process(job: Job<FireJobData>): Promise<void> {
    await this.fire(job.data.scheduleId, job.data.fireAtMs);
  }

  /**
   * Handles a fire: the runs due since the last one handled, by the missed-run policy (a run more
   * than missGraceMs late was missed) and the concurrency policy; then the next fire job, then
   * the record (which refuses a fire another coordinator handled first).
   */
  async fire(scheduleId: string, fireAtMs: number, nowMs = Date.now()): Promise<void> {
    const { store, tasks, logger } = this.options;
    const schedule = await store.get(scheduleId);
    if (!schedule || schedule.state !== 'active') return;
    if (schedule.lastFireAtMs !== undefined && fireAtMs <= schedule.lastFireAtMs) return;
    const { spec } = schedule;
    const timing = timingOf(spec);
    const expiry = expiryOf(spec);
    const from = schedule.lastFireAtMs ?? schedule.createdAtMs;
    const due = fireTimesBetween(timing, from, Math.max(nowMs, fireAtMs), DUE_SCAN_LIMIT, {
      anchorMs: schedule.createdAtMs,
    }).times.filter((time) => expiry === undefined || time <= expiry);
    const missed = due.filter((time) => nowMs - time > this.options.missGraceMs);
    const onTime = due.filter((time) => nowMs - time <= this.options.missGraceMs);
    const runs: ScheduleRun[] = [];
    let toRun: { time: number; outcome: 'queued' | 'caught_up' }[];
    let newState: ScheduleState | undefined;
    let reason: string | undefined;
    switch (spec.missedRunPolicy) {
      case 'skip':
        for (const time of missed)
          runs.push({ fireTimeMs: time, queuedAtMs: nowMs, outcome: 'skipped', reason: 'missed' });
        toRun = onTime.map((time) => ({ time, outcome: 'queued' as const }));
        break;
      case 'catchup': {
        const kept = missed.slice(-spec.catchupLimit);
        for (const time of missed.slice(0, missed.length - kept.length))
          runs.push({
            fireTimeMs: time,
            queuedAtMs: nowMs,
            outcome: 'skipped',
            reason: 'beyond the catch-up limit',
          });
        toRun = [
          ...kept.map((time) => ({ time, outcome: 'caught_up' as const })),
          ...onTime.map((time) => ({ time, outcome: 'queued' as const })),
        ];
        break;
      }
      case 'fail':
        if (missed.length > 0) {
          for (const time of missed) runs.push({ fireTimeMs: time, queuedAtMs: nowMs, outcome: 'missed' });
          newState = 'paused';
          reason = `missed ${missed.length} run${missed.length === 1 ? '' : 's'} (missed-run policy fail)`;
          toRun = [];
        } else {
          toRun = onTime.map((time) => ({ time, outcome: 'queued' as const }));
        }
        break;
    }
    const left = spec.maxRuns === undefined ? Infinity : spec.maxRuns - schedule.runCount;
    toRun = toRun.slice(0, Math.max(0, left));

    let previous = schedule.lastTaskId;
    let queued = 0;
    for (const run of toRun) {
      if (previous !== undefined && spec.concurrency === 'skip' && !(await tasks.hasEnded(previous))) {
        runs.push({
          fireTimeMs: run.time,
          queuedAtMs: Date.now(),
          outcome: 'skipped',
          reason: 'the previous run is still active',
        });
        continue;
      }
      let task;
      try {
        const template = await this.runSpec(schedule, previous);
        // A run is the schedule's tenant's task.
        task = await tasks.delegateScheduled(template, runTaskId(scheduleId, run.time), schedule.tenant);
      } catch (error) {
        // A run the cluster refuses (a dependency gone, a repository moved) is recorded, and the
        // schedule goes on: a fire that throws would be retried, then stop the schedule.
        if (!AppError.is(error) || error.code === 'INTERNAL' || error.code === 'UNAVAILABLE') throw error;
        runs.push({
          fireTimeMs: run.time,
          queuedAtMs: Date.now(),
          outcome: 'skipped',
          reason: error.message,
        });
        continue;
      }
      runs.push({ fireTimeMs: run.time, queuedAtMs: Date.now(), taskId: task.id, outcome: run.outcome });
      previous = task.id;
      queued++;
    }

    const handledUpTo = Math.max(fireAtMs, ...due);
    let next: number | undefined;
    if (newState === undefined) {
      [next] = nextFireTimes(timing, Math.max(handledUpTo, nowMs), 1, {
        anchorMs: schedule.createdAtMs,
        untilMs: expiry,
      });
      if (schedule.runCount + queued >= (spec.maxRuns ?? Infinity)) {
        newState = 'completed';
        reason = `reached maxRuns (${spec.maxRuns})`;
        next = undefined;
      } else if (next === undefined) {
        newState = expiry !== undefined && timing.kind !== 'once' ? 'expired' : 'completed';
        reason = newState === 'expired' ? `expired at ${spec.expiresAt}` : 'no fire time left';
      }
    }
    if (next !== undefined) await this.enqueueFire(scheduleId, next, Date.now());
    const recorded = await store.recordFire(scheduleId, {
      handledUpToMs: handledUpTo,
      runs,
      runsAdded: queued,
      lastTaskId: previous,
      nextFireAtMs: next,
      newState,
      reason,
    });
    if (recorded) this.options.onFired?.(nowMs - fireAtMs);
    logger.info({ scheduleId, fireAtMs, queued, missed: missed.length, recorded, next }, 'schedule fired');
  }

  /** The task a run queues: the template, labelled, waiting for what it must wait for. */
  private async runSpec(schedule: Schedule, previousRun: string | undefined): Promise<TaskSpec> {
    const { spec } = schedule;
    const dependsOn = [...spec.template.dependsOn];
    // `queue`: after the previous run, whatever its outcome.
    if (
      spec.concurrency === 'queue' &&
      previousRun !== undefined &&
      !(await this.options.tasks.hasEnded(previousRun))
    )
      dependsOn.push(previousRun);
    if (spec.afterSchedule !== undefined) {
      const other = await this.options.store.get(spec.afterSchedule);
      if (other?.lastTaskId !== undefined && !dependsOn.includes(other.lastTaskId))
        dependsOn.push(other.lastTaskId);
    }
    const onDependencyFailure = spec.concurrency === 'queue' ? 'continue' : spec.template.onDependencyFailure;
    return {
      ...spec.template,
      dependsOn: dependsOn.slice(0, 100),
      onDependencyFailure:
        dependsOn.length > spec.template.dependsOn.length
          ? onDependencyFailure
          : spec.template.onDependencyFailure,
      labels: { ...spec.template.labels, [SCHEDULE_LABEL]: schedule.id },
    };
  }
}

function expiryOf(spec: ScheduleSpec): number | undefined {
  return spec.expiresAt === undefined ? undefined : Date.parse(spec.expiresAt);
}

function invalid(field: string, message: string): AppError {
  return new AppError('INVALID_ARGUMENT', `${field}: ${message}`, { details: { fields: [field] } });
}

/** The id of a schedule's run at a fire time: the same however often the fire is handled. */
export function runTaskId(scheduleId: string, fireTimeMs: number): string {
  const hex = createHash('sha256').update(`${scheduleId}@${fireTimeMs}`).digest('hex');
  return `task-${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
