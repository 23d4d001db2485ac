import { type CronExpression, CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { AppError, errorMessage } from './errors';

/**
 * Schedule-time arithmetic: when a cron, fixed-interval or one-time schedule fires.
 *
 * Cron expressions are evaluated by cron-parser (Luxon underneath) in the schedule's IANA time
 * zone. Its behaviour across daylight-saving changes, which the functions here keep stable
 * whatever instant a computation starts from:
 * - spring forward (a wall-clock hour does not exist): a fire time inside the gap moves forward by
 *   the size of the gap, and fires once (`30 2 * * *` in Europe/Paris on 2026-03-29 fires at
 *   03:30 CEST); if that collides with a time the expression names anyway (`30 2,3 * * *`), it
 *   fires once for both.
 * - fall back (a wall-clock hour happens twice): a time with a fixed hour fires once, in the first
 *   (daylight) pass (`30 1 * * *` in America/New_York on 2026-11-01 fires at 01:30 EDT, not again
 *   at 01:30 EST); a wildcard hour fires in both passes, so `0 * * * *` and `0,30 * * * *` keep
 *   firing at even intervals of real time.
 * - day of month and day of week both restricted (`0 0 13 * 5`): either matches (classic cron).
 */

/** A validated schedule timing. */
export type ScheduleTiming =
  /** 5 fields (standard) or 6 (a leading seconds field), evaluated in `timezone`. */
  | { kind: 'cron'; cron: string; timezone: string }
  /** A fixed interval: fires at anchorMs + k*everyMs (k ≥ 1), the anchor given to each call. */
  | { kind: 'every'; everyMs: number }
  | { kind: 'once'; runAtMs: number };

const HOUR_MS = 3_600_000;

/** cron-parser's named shortcuts, refused (they are not 5 or 6 fields) with the equivalent to write. */
const CRON_SHORTCUTS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Where validation looks for a first fire time: any expression that fires at all fires after this. */
const VALIDATION_FROM = new Date(Date.UTC(2000, 0, 1));

/** What is wrong with a (trimmed) cron expression, or undefined when it is usable. */
function cronProblem(expression: string): string | undefined {
  if (expression === '') return 'must not be empty (e.g. "0 9 * * 1-5")';
  const fields = expression.split(/\s+/);
  if (fields.length < 5 || fields.length > 6) {
    const shortcut = CRON_SHORTCUTS[expression.toLowerCase()];
    const hint = shortcut === undefined ? '' : `; write "${shortcut}" for ${expression}`;
    return (
      `"${expression}" has ${fields.length} field${fields.length === 1 ? '' : 's'}, expected 5 ` +
      `(minute hour day-of-month month day-of-week) or 6 (with leading seconds)${hint}`
    );
  }
  // cron-parser's `H` picks a random value at each parse unless seeded: fire times would change
  // from one computation to the next. Month and weekday names (THU) are not `H`.
  const withoutNames = fields.map((field, index) =>
    index >= fields.length - 2 ? field.replace(/[a-z]{3}/gi, '') : field,
  );
  if (withoutNames.some((field) => field.includes('H'))) {
    return `"${expression}": H (hashed random values) is not supported; write the values out`;
  }
  let parsed: CronExpression;
  try {
    parsed = CronExpressionParser.parse(expression, { tz: 'UTC', currentDate: VALIDATION_FROM });
  } catch (error) {
    return `"${expression}" is not a valid cron expression: ${errorMessage(error)}`;
  }
  try {
    parsed.next();
  } catch (error) {
    return `"${expression}" never fires (${errorMessage(error)})`;
  }
  return undefined;
}

/**
 * A cron expression: trimmed, 5 fields (minute hour day-of-month month day-of-week) or 6 (leading
 * seconds). An expression cron-parser refuses is refused with its message.
 */
export const CronExpressionSchema = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Whether `timezone` is a time zone name Intl (and so cron-parser's Luxon) knows. */
function resolveTimeZone(timezone: string): string | undefined {
  // Offsets ("+01:00") are accepted by newer Intl versions but are not zone names.
  if (!/^[A-Za-z]/.test(timezone)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/**
 * An IANA time zone name, trimmed ("Europe/Paris", "UTC", "Etc/UTC", links such as "US/Eastern").
 * A name written in the wrong case is given its canonical case; links are kept as written.
 * Unknown names are refused. Callers default it (to 'UTC').
 */
export const TimeZoneSchema = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const resolved = resolveTimeZone(value);
    if (resolved === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" is not a known IANA time zone (e.g. UTC, Europe/Paris, America/New_York)`,
      });
      return z.NEVER;
    }
    return resolved.toLowerCase() === value.toLowerCase() ? resolved : value;
  });

function invalid(message: string, field: string): AppError {
  return new AppError('INVALID_ARGUMENT', `${field}: ${message}`, { details: { fields: [field] } });
}

function assertInstant(value: number, field: string): void {
  if (!Number.isFinite(value))
    throw invalid(`must be a finite epoch-millisecond instant, got ${value}`, field);
}

function assertCount(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw invalid(`must be a non-negative integer, got ${value}`, field);
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's UTC offset at `timeMs`, in ms (to the second). */
function offsetMs(timezone: string, timeMs: number): number {
  let formatter = offsetFormatters.get(timezone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    offsetFormatters.set(timezone, formatter);
  }
  const part = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
  for (const { type, value } of formatter.formatToParts(timeMs)) {
    if (type in part) part[type as keyof typeof part] = Number(value);
  }
  const wall = Date.UTC(part.year, part.month - 1, part.day, part.hour, part.minute, part.second);
  return wall - Math.floor(timeMs / 1000) * 1000;
}

/**
 * Where to start cron-parser so that the fire times after `afterMs` are the same as when iterating
 * from long before. Started inside a fall-back repeat (or just after a spring-forward gap),
 * cron-parser would fire a fixed-hour time a second time (or skip the moved one); started before
 * the change it does neither. So when a change happened less than its own size before `afterMs`,
 * start from before it. (No zone changes offset twice within the 3-hour look-back, nor by more
 * than 2 hours at once.) Only for expressions that name hours: cron-parser's DST handling (and so
 * its dependence on where it starts) is off when every hour matches, and iterating a
 * every-second expression over two hours would cost a noticeable fraction of a second.
 */
function cronIterationStart(timezone: string, afterMs: number): number {
  const lookBackMs = 3 * HOUR_MS;
  const offsetBefore = offsetMs(timezone, afterMs - lookBackMs);
  const offsetAfter = offsetMs(timezone, afterMs);
  if (offsetBefore === offsetAfter) return afterMs;
  let low = afterMs - lookBackMs; // still the old offset
  let high = afterMs; // already the new one
  while (high - low > 1000) {
    const middle = Math.floor((low + high) / 2);
    if (offsetMs(timezone, middle) === offsetBefore) low = middle;
    else high = middle;
  }
  const shiftMs = Math.abs(offsetAfter - offsetBefore);
  return afterMs >= high + shiftMs ? afterMs : high - shiftMs - 60_000;
}

function cronTimesAfter(cron: string, timezone: string, afterMs: number): Generator<number, never> {
  const problem = cronProblem(cron.trim());
  if (problem !== undefined) throw invalid(problem, 'cron');
  if (resolveTimeZone(timezone) === undefined)
    throw invalid(`"${timezone}" is not a known IANA time zone`, 'timezone');
  const expression = CronExpressionParser.parse(cron.trim(), {
    tz: timezone,
    currentDate: new Date(afterMs),
  });
  if (expression.fields.hour.values.length < 24) {
    const startMs = cronIterationStart(timezone, afterMs);
    if (startMs !== afterMs) expression.reset(new Date(startMs));
  }
  return iterateCron(expression, cron, afterMs);
}

function* iterateCron(expression: CronExpression, cron: string, afterMs: number): Generator<number, never> {
  let last = afterMs;
  for (;;) {
    let timeMs: number;
    try {
      timeMs = expression.next().getTime();
    } catch (error) {
      throw invalid(
        `"${cron}" has no fire time after ${new Date(last).toISOString()}: ${errorMessage(error)}`,
        'cron',
      );
    }
    if (timeMs <= last) continue;
    last = timeMs;
    yield timeMs;
  }
}

function everyTimesAfter(
  everyMs: number,
  afterMs: number,
  anchorMs: number | undefined,
): Generator<number, never> {
  if (!Number.isFinite(everyMs) || everyMs <= 0)
    throw invalid(`must be a positive number of ms, got ${everyMs}`, 'everyMs');
  if (anchorMs === undefined) throw invalid('an `every` timing needs options.anchorMs', 'anchorMs');
  assertInstant(anchorMs, 'anchorMs');
  return iterateEvery(everyMs, afterMs, anchorMs);
}

function* iterateEvery(everyMs: number, afterMs: number, anchorMs: number): Generator<number, never> {
  let k = afterMs < anchorMs ? 1 : Math.max(1, Math.floor((afterMs - anchorMs) / everyMs) + 1);
  // Floating point: make sure the first time is strictly after afterMs.
  while (anchorMs + k * everyMs <= afterMs) k += 1;
  for (;;) {
    yield anchorMs + k * everyMs;
    k += 1;
  }
}

function onceTimesAfter(runAtMs: number, afterMs: number): Iterator<number> {
  assertInstant(runAtMs, 'runAtMs');
  return (runAtMs > afterMs ? [runAtMs] : [])[Symbol.iterator]();
}

/**
 * Every fire time strictly after `afterMs`, in increasing order (unbounded for cron and every).
 * Validates the timing at once, not at the first `next()`.
 */
function fireTimesAfter(
  timing: ScheduleTiming,
  afterMs: number,
  anchorMs: number | undefined,
): Iterator<number> {
  switch (timing.kind) {
    case 'cron':
      return cronTimesAfter(timing.cron, timing.timezone, afterMs);
    case 'every':
      return everyTimesAfter(timing.everyMs, afterMs, anchorMs);
    case 'once':
      return onceTimesAfter(timing.runAtMs, afterMs);
  }
}

/**
 * The next `count` fire times strictly after `afterMs` (epoch ms), in order, never past `untilMs`
 * (inclusive) when given: fewer than `count` when the schedule ends first. `every` timings need
 * `anchorMs` (the fire times are anchorMs + k*everyMs, k ≥ 1).
 * @throws AppError INVALID_ARGUMENT for an invalid timing, count or instant.
 */
export function nextFireTimes(
  timing: ScheduleTiming,
  afterMs: number,
  count: number,
  options: { anchorMs?: number; untilMs?: number } = {},
): number[] {
  assertInstant(afterMs, 'afterMs');
  assertCount(count, 'count');
  const { anchorMs, untilMs } = options;
  if (untilMs !== undefined) assertInstant(untilMs, 'untilMs');
  const iterator = fireTimesAfter(timing, afterMs, anchorMs);
  const times: number[] = [];
  if (count === 0 || (untilMs !== undefined && untilMs <= afterMs)) return times;
  while (times.length < count) {
    const next = iterator.next();
    if (next.done === true || (untilMs !== undefined && next.value > untilMs)) break;
    times.push(next.value);
  }
  return times;
}

/**
 * The fire times t with afterMs < t <= untilMs, in order, at most `limit`; `truncated` when there
 * were more. Finds the runs missed while the cluster was down.
 * @throws AppError INVALID_ARGUMENT for an invalid timing, limit or instant.
 */
export function fireTimesBetween(
  timing: ScheduleTiming,
  afterMs: number,
  untilMs: number,
  limit: number,
  options: { anchorMs?: number } = {},
): { times: number[]; truncated: boolean } {
  assertCount(limit, 'limit');
  const times = nextFireTimes(timing, afterMs, limit + 1, { ...options, untilMs });
  const truncated = times.length > limit;
  return { times: truncated ? times.slice(0, limit) : times, truncated };
}

/** Locales tried in turn for a zone abbreviation ("CEST", "EDT", "AEST", "IST") before an offset. */
const ABBREVIATION_LOCALES = ['en-US', 'en-GB', 'en-AU', 'en-IN', 'en-ZA', 'en-IE'] as const;
const displayFormatters = new Map<string, Intl.DateTimeFormat>();

function displayFormatter(
  locale: string,
  timezone: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  const key = `${locale} ${timezone} ${JSON.stringify(options)}`;
  let formatter = displayFormatters.get(key);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat(locale, { ...options, timeZone: timezone });
    displayFormatters.set(key, formatter);
  }
  return formatter;
}

function zoneAbbreviation(timeMs: number, timezone: string): string {
  let fallback = '';
  for (const locale of ABBREVIATION_LOCALES) {
    const name =
      displayFormatter(locale, timezone, { timeZoneName: 'short' })
        .formatToParts(timeMs)
        .find((part) => part.type === 'timeZoneName')?.value ?? '';
    if (locale === 'en-US') fallback = name;
    if (name !== '' && !/^GMT[+-]/.test(name)) return name;
  }
  return fallback.replace(/^GMT(?=[+-])/, 'UTC');
}

/**
 * A fire time shown in the schedule's time zone: "2026-03-29 03:00 CEST (Europe/Paris)"; seconds
 * only when not zero; the zone name left out when it is its own abbreviation ("… 09:00 UTC").
 * Zones without an English abbreviation show their offset ("2026-01-15 21:00 UTC+9 (Asia/Tokyo)").
 * @throws AppError INVALID_ARGUMENT for an unknown time zone or a non-finite instant.
 */
export function formatFireTime(timeMs: number, timezone: string): string {
  assertInstant(timeMs, 'timeMs');
  if (resolveTimeZone(timezone) === undefined)
    throw invalid(`"${timezone}" is not a known IANA time zone`, 'timezone');
  const part: Record<string, string> = {};
  const formatter = displayFormatter('en-US', timezone, {
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  for (const { type, value } of formatter.formatToParts(timeMs)) part[type] = value;
  const seconds = part.second === '00' ? '' : `:${part.second}`;
  const local = `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}${seconds}`;
  const abbreviation = zoneAbbreviation(timeMs, timezone);
  return abbreviation === timezone ? `${local} ${abbreviation}` : `${local} ${abbreviation} (${timezone})`;
}
