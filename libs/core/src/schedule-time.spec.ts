import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { AppError } from './errors';
import {
  CronExpressionSchema,
  fireTimesBetween,
  formatFireTime,
  nextFireTimes,
  type ScheduleTiming,
  TimeZoneSchema,
} from './schedule-time';
import { parseOrThrow } from './validation';

const HOUR = 3_600_000;
const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad instant in test: ${iso}`);
  return ms;
};
const iso = (ms: number): string => new Date(ms).toISOString();
const cron = (expression: string, timezone = 'UTC'): ScheduleTiming => ({
  kind: 'cron',
  cron: expression,
  timezone,
});
const next = (timing: ScheduleTiming, after: string, count: number): string[] =>
  nextFireTimes(timing, at(after), count).map(iso);
const between = (timing: ScheduleTiming, after: string, until: string, limit = 1000): string[] =>
  fireTimesBetween(timing, at(after), at(until), limit).times.map(iso);
const gaps = (times: string[]): number[] => times.slice(1).map((time, index) => at(time) - at(times[index]!));

/** Fire times as cron-parser gives them iterating, unaided, from long before the window. */
function iterated(expression: string, timezone: string, from: string, until: string): number[] {
  const interval = CronExpressionParser.parse(expression, { tz: timezone, currentDate: new Date(at(from)) });
  const times: number[] = [];
  for (let time = interval.next().getTime(); time <= at(until); time = interval.next().getTime())
    times.push(time);
  return times;
}

/**
 * Starting anywhere in the window (every 5 minutes), the next fire time is the one iterating from
 * long before gives: a computation started inside a DST change neither repeats nor skips a run.
 */
function expectStartIndependent(
  expression: string,
  timezone: string,
  windowStart: string,
  windowEnd: string,
): void {
  const reference = iterated(
    expression,
    timezone,
    iso(at(windowStart) - 24 * HOUR),
    iso(at(windowEnd) + 48 * HOUR),
  );
  for (let after = at(windowStart); after <= at(windowEnd); after += 5 * 60_000) {
    const expected = reference.find((time) => time > after);
    expect([iso(after), nextFireTimes(cron(expression, timezone), after, 1).map(iso)]).toEqual([
      iso(after),
      [iso(expected!)],
    ]);
  }
}

describe('CronExpressionSchema', () => {
  const Spec = z.object({ cron: CronExpressionSchema });

  it.each([
    '0 9 * * 1-5',
    '*/15 * * * *',
    '30 0 9 * * *',
    '0 0 L * *',
    '0 0 * * 5L',
    '0 9 * * MON,THU',
    '0 0 1 JAN *',
  ])('accepts %j', (expression) => expect(CronExpressionSchema.parse(expression)).toBe(expression));

  it('trims', () => expect(CronExpressionSchema.parse('  0 9 * * *\n')).toBe('0 9 * * *'));

  it("refuses what cron-parser refuses, naming the field and quoting the parser's message", () => {
    let thrown: unknown;
    try {
      parseOrThrow(Spec, { cron: '61 * * * *' }, 'schedule');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).code).toBe('INVALID_ARGUMENT');
    expect((thrown as AppError).message).toBe(
      'schedule.cron: "61 * * * *" is not a valid cron expression: Constraint error, got value 61 expected range 0-59',
    );
    expect((thrown as AppError).details).toEqual({ fields: ['schedule.cron'] });
  });

  it.each([
    ['* 24 * * *', /not a valid cron expression: Constraint error, got value 24 expected range 0-23/],
    ['0 0 30 2 *', /not a valid cron expression: Invalid explicit day of month definition/],
    ['*/0 * * * *', /not a valid cron expression: .*every 0/],
    ['0 0 1 foo *', /cannot resolve alias "foo"/],
    ['1,2, * * * *', /not a valid cron expression/],
  ])('refuses %j with the parser message', (expression, message) => {
    const result = Spec.safeParse({ cron: expression });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['cron']);
    expect(result.error?.issues[0]?.message).toMatch(message);
  });

  it.each([
    ['', /must not be empty/],
    ['   ', /must not be empty/],
    ['* * * *', /has 4 fields, expected 5 .* or 6/],
    ['0 0 0 * * * *', /has 7 fields/],
    ['@daily', /has 1 field, .*write "0 0 \* \* \*" for @daily/],
    ['H 9 * * *', /H \(hashed random values\) is not supported/],
    ['0 9 * * H', /H \(hashed random values\) is not supported/],
    // Feb 31st or Apr 31st: parses, but never fires (cron-parser gives up after its loop limit).
    ['0 0 31 2,4 *', /never fires \(Invalid expression, loop limit exceeded\)/],
  ])('refuses %j', (expression, message) => {
    const result = CronExpressionSchema.safeParse(expression);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(message);
  });
});

describe('TimeZoneSchema', () => {
  it.each(['UTC', 'Etc/UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'US/Eastern', 'Etc/GMT+5'])(
    'accepts %j as written',
    (zone) => expect(TimeZoneSchema.parse(zone)).toBe(zone),
  );

  it('gives a name in the wrong case its canonical case, and trims', () => {
    expect(TimeZoneSchema.parse(' europe/paris ')).toBe('Europe/Paris');
    expect(TimeZoneSchema.parse('utc')).toBe('UTC');
  });

  it.each(['Mars/Olympus', '', 'Europe/Pariss', '+01:00', 'UTC+1'])(
    'refuses %j, naming the field',
    (zone) => {
      const result = z.object({ timezone: TimeZoneSchema }).safeParse({ timezone: zone });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['timezone']);
      expect(result.error?.issues[0]?.message).toBe(
        `"${zone}" is not a known IANA time zone (e.g. UTC, Europe/Paris, America/New_York)`,
      );
    },
  );

  it('leaves the default to the caller', () => {
    expect(TimeZoneSchema.default('UTC').parse(undefined)).toBe('UTC');
  });
});

describe('cron fire times across daylight-saving changes', () => {
  describe('Europe/Paris (2026-03-29 02:00 CET → 03:00 CEST; 2026-10-25 03:00 CEST → 02:00 CET)', () => {
    it('fires once at 03:30 CEST for 30 2 * * * on the spring-forward day, the 02:30 that does not exist', () => {
      const times = next(cron('30 2 * * *', 'Europe/Paris'), '2026-03-27T12:00:00Z', 4);
      expect(times).toEqual([
        '2026-03-28T01:30:00.000Z', // 02:30 CET
        '2026-03-29T01:30:00.000Z', // 03:30 CEST: moved forward by the gap, once
        '2026-03-30T00:30:00.000Z', // 02:30 CEST
        '2026-03-31T00:30:00.000Z',
      ]);
      expect(formatFireTime(at(times[1]!), 'Europe/Paris')).toBe('2026-03-29 03:30 CEST (Europe/Paris)');
      expect(formatFireTime(at(times[2]!), 'Europe/Paris')).toBe('2026-03-30 02:30 CEST (Europe/Paris)');
    });

    it('fires once for 30 2,3 * * * on the spring-forward day: the moved 02:30 and 03:30 coincide', () => {
      expect(
        between(cron('30 2,3 * * *', 'Europe/Paris'), '2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z'),
      ).toEqual(['2026-03-29T01:30:00.000Z']);
    });

    it('fires once for 30 2 * * * on the fall-back day, when 02:30 happens twice: in the first (CEST) pass', () => {
      const times = between(
        cron('30 2 * * *', 'Europe/Paris'),
        '2026-10-24T12:00:00Z',
        '2026-10-26T12:00:00Z',
      );
      expect(times).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
      expect(formatFireTime(at(times[0]!), 'Europe/Paris')).toBe('2026-10-25 02:30 CEST (Europe/Paris)');
    });

    it('keeps 0 * * * * one hour apart in UTC across both changes', () => {
      const spring = between(
        cron('0 * * * *', 'Europe/Paris'),
        '2026-03-28T22:30:00Z',
        '2026-03-29T03:30:00Z',
      );
      expect(spring).toHaveLength(5);
      expect(gaps(spring)).toEqual([HOUR, HOUR, HOUR, HOUR]);
      // Local 01:00 CET is followed by 03:00 CEST: there is no 02:00.
      expect(spring.map((time) => formatFireTime(at(time), 'Europe/Paris'))).toEqual([
        '2026-03-29 00:00 CET (Europe/Paris)',
        '2026-03-29 01:00 CET (Europe/Paris)',
        '2026-03-29 03:00 CEST (Europe/Paris)',
        '2026-03-29 04:00 CEST (Europe/Paris)',
        '2026-03-29 05:00 CEST (Europe/Paris)',
      ]);

      const autumn = between(
        cron('0 * * * *', 'Europe/Paris'),
        '2026-10-24T22:30:00Z',
        '2026-10-25T03:30:00Z',
      );
      expect(gaps(autumn)).toEqual([HOUR, HOUR, HOUR, HOUR]);
      // Local 02:00 happens twice, and fires twice, an hour apart.
      expect(autumn.map((time) => formatFireTime(at(time), 'Europe/Paris'))).toEqual([
        '2026-10-25 01:00 CEST (Europe/Paris)',
        '2026-10-25 02:00 CEST (Europe/Paris)',
        '2026-10-25 02:00 CET (Europe/Paris)',
        '2026-10-25 03:00 CET (Europe/Paris)',
        '2026-10-25 04:00 CET (Europe/Paris)',
      ]);
    });

    it('fires */30 in both passes of the repeated hour, every 30 minutes of real time', () => {
      const times = between(
        cron('*/30 * * * *', 'Europe/Paris'),
        '2026-10-24T23:45:00Z',
        '2026-10-25T02:00:00Z',
      );
      expect(times).toEqual([
        '2026-10-25T00:00:00.000Z',
        '2026-10-25T00:30:00.000Z',
        '2026-10-25T01:00:00.000Z',
        '2026-10-25T01:30:00.000Z',
        '2026-10-25T02:00:00.000Z',
      ]);
    });

    it.each(['30 2 * * *', '0 2 * * *', '0 * * * *', '*/20 * * * *', '15 1-3 * * *'])(
      'gives %j the same fire times whatever instant a computation starts from',
      (expression) => {
        expectStartIndependent(expression, 'Europe/Paris', '2026-03-28T23:00:00Z', '2026-03-29T03:00:00Z');
        expectStartIndependent(expression, 'Europe/Paris', '2026-10-24T23:00:00Z', '2026-10-25T03:00:00Z');
      },
    );
  });

  describe('America/New_York (2026-03-08 02:00 EST → 03:00 EDT; 2026-11-01 02:00 EDT → 01:00 EST)', () => {
    it('fires once at 03:30 EDT for 30 2 * * * on the spring-forward day', () => {
      const times = between(
        cron('30 2 * * *', 'America/New_York'),
        '2026-03-07T00:00:00Z',
        '2026-03-09T23:00:00Z',
      );
      expect(times).toEqual([
        '2026-03-07T07:30:00.000Z',
        '2026-03-08T07:30:00.000Z',
        '2026-03-09T06:30:00.000Z',
      ]);
      expect(formatFireTime(at(times[1]!), 'America/New_York')).toBe(
        '2026-03-08 03:30 EDT (America/New_York)',
      );
    });

    it('fires once for 30 1 * * * on the fall-back day, when 01:30 happens twice: at 01:30 EDT', () => {
      const times = between(
        cron('30 1 * * *', 'America/New_York'),
        '2026-10-31T00:00:00Z',
        '2026-11-02T23:00:00Z',
      );
      expect(times).toEqual([
        '2026-10-31T05:30:00.000Z',
        '2026-11-01T05:30:00.000Z',
        '2026-11-02T06:30:00.000Z',
      ]);
      expect(formatFireTime(at(times[1]!), 'America/New_York')).toBe(
        '2026-11-01 01:30 EDT (America/New_York)',
      );
    });

    it('does not fire 30 1 * * * again at 01:30 EST when a computation starts between the two 01:30s', () => {
      // cron-parser alone, started inside the repeated hour, does give the second 01:30 (EST)…
      const unaided = CronExpressionParser.parse('30 1 * * *', {
        tz: 'America/New_York',
        currentDate: new Date(at('2026-11-01T06:00:00Z')),
      });
      expect(iso(unaided.next().getTime())).toBe('2026-11-01T06:30:00.000Z');
      // …which nextFireTimes and fireTimesBetween do not, as the run at 01:30 EDT already happened.
      expect(next(cron('30 1 * * *', 'America/New_York'), '2026-11-01T06:00:00Z', 1)).toEqual([
        '2026-11-02T06:30:00.000Z',
      ]);
      expect(next(cron('30 1 * * *', 'America/New_York'), '2026-11-01T05:45:00Z', 1)).toEqual([
        '2026-11-02T06:30:00.000Z',
      ]);
      expect(
        between(cron('30 1 * * *', 'America/New_York'), '2026-11-01T05:30:00Z', '2026-11-01T12:00:00Z'),
      ).toEqual([]);
    });

    it('does not skip the moved 02:30 when a computation starts inside the spring-forward change', () => {
      // cron-parser alone, started at 03:00 EDT, skips the run moved to 03:30 EDT…
      const unaided = CronExpressionParser.parse('30 2 * * *', {
        tz: 'America/New_York',
        currentDate: new Date(at('2026-03-08T07:00:00Z')),
      });
      expect(iso(unaided.next().getTime())).toBe('2026-03-09T06:30:00.000Z');
      // …which nextFireTimes does not.
      expect(next(cron('30 2 * * *', 'America/New_York'), '2026-03-08T07:00:00Z', 2)).toEqual([
        '2026-03-08T07:30:00.000Z',
        '2026-03-09T06:30:00.000Z',
      ]);
    });

    it('keeps 0 * * * * one hour apart in UTC across both changes', () => {
      const spring = between(
        cron('0 * * * *', 'America/New_York'),
        '2026-03-08T04:30:00Z',
        '2026-03-08T09:30:00Z',
      );
      expect(spring).toHaveLength(5);
      expect(gaps(spring)).toEqual([HOUR, HOUR, HOUR, HOUR]);
      expect(formatFireTime(at(spring[2]!), 'America/New_York')).toBe(
        '2026-03-08 03:00 EDT (America/New_York)',
      );

      const autumn = between(
        cron('0 * * * *', 'America/New_York'),
        '2026-11-01T03:30:00Z',
        '2026-11-01T08:30:00Z',
      );
      expect(gaps(autumn)).toEqual([HOUR, HOUR, HOUR, HOUR]);
      expect(autumn.map((time) => formatFireTime(at(time), 'America/New_York'))).toEqual([
        '2026-11-01 00:00 EDT (America/New_York)',
        '2026-11-01 01:00 EDT (America/New_York)',
        '2026-11-01 01:00 EST (America/New_York)',
        '2026-11-01 02:00 EST (America/New_York)',
        '2026-11-01 03:00 EST (America/New_York)',
      ]);
    });

    it.each([
      '30 1 * * *',
      '30 2 * * *',
      '0 1 * * *',
      '* 1 * * *',
      '0 * * * *',
      '*/20 * * * *',
      '0 30 1 * * *',
      '0 * * * * *',
    ])('gives %j the same fire times whatever instant a computation starts from', (expression) => {
      expectStartIndependent(expression, 'America/New_York', '2026-03-08T05:00:00Z', '2026-03-08T09:00:00Z');
      expectStartIndependent(expression, 'America/New_York', '2026-11-01T04:00:00Z', '2026-11-01T08:00:00Z');
    });
  });

  it('handles a half-hour change (Australia/Lord_Howe, 2026-04-05 02:00 +11 → 01:30 +10:30)', () => {
    expectStartIndependent(
      '45 1 * * *',
      'Australia/Lord_Howe',
      '2026-04-04T13:30:00Z',
      '2026-04-04T16:00:00Z',
    );
    expect(
      between(cron('45 1 * * *', 'Australia/Lord_Howe'), '2026-04-04T00:00:00Z', '2026-04-05T00:00:00Z'),
    ).toEqual(['2026-04-04T14:45:00.000Z']);
  });
});

describe('cron fire times across months and years', () => {
  it('skips months without a 31st for 0 0 31 * *', () => {
    expect(next(cron('0 0 31 * *'), '2026-01-01T00:00:00Z', 7)).toEqual([
      '2026-01-31T00:00:00.000Z',
      '2026-03-31T00:00:00.000Z',
      '2026-05-31T00:00:00.000Z',
      '2026-07-31T00:00:00.000Z',
      '2026-08-31T00:00:00.000Z',
      '2026-10-31T00:00:00.000Z',
      '2026-12-31T00:00:00.000Z',
    ]);
  });

  it('fires on the last day of each month for 0 0 L * *, Feb 29th in a leap year', () => {
    expect(next(cron('0 0 L * *'), '2026-01-01T00:00:00Z', 4)).toEqual([
      '2026-01-31T00:00:00.000Z',
      '2026-02-28T00:00:00.000Z',
      '2026-03-31T00:00:00.000Z',
      '2026-04-30T00:00:00.000Z',
    ]);
    expect(next(cron('0 0 L 2 *'), '2027-03-01T00:00:00Z', 1)).toEqual(['2028-02-29T00:00:00.000Z']);
    // In the schedule's zone: midnight of Jan 31st in Paris is 23:00 UTC the day before.
    expect(next(cron('0 0 L * *', 'Europe/Paris'), '2026-01-01T00:00:00Z', 1)).toEqual([
      '2026-01-30T23:00:00.000Z',
    ]);
  });

  it('fires 0 0 29 2 * on leap days only: from 2026 the next is 2028-02-29', () => {
    expect(next(cron('0 0 29 2 *'), '2026-01-01T00:00:00Z', 3)).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2032-02-29T00:00:00.000Z',
      '2036-02-29T00:00:00.000Z',
    ]);
  });

  it('fires when either day of month or day of week matches, as classic cron does', () => {
    expect(next(cron('0 0 13 * 5'), '2026-01-01T00:00:00Z', 4)).toEqual([
      '2026-01-02T00:00:00.000Z', // Friday
      '2026-01-09T00:00:00.000Z', // Friday
      '2026-01-13T00:00:00.000Z', // the 13th, a Tuesday
      '2026-01-16T00:00:00.000Z', // Friday
    ]);
  });

  it('takes a leading seconds field, strictly after a sub-second instant', () => {
    expect(next(cron('*/15 * * * * *'), '2026-01-01T00:00:00.500Z', 3)).toEqual([
      '2026-01-01T00:00:15.000Z',
      '2026-01-01T00:00:30.000Z',
      '2026-01-01T00:00:45.000Z',
    ]);
  });

  it('is strictly after afterMs, even when afterMs is itself a fire time', () => {
    expect(next(cron('0 0 * * *'), '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-02T00:00:00.000Z']);
    expect(next(cron('0 0 * * *'), '2025-12-31T23:59:59.999Z', 1)).toEqual(['2026-01-01T00:00:00.000Z']);
  });
});

describe('nextFireTimes', () => {
  it('stops at untilMs (inclusive)', () => {
    const times = nextFireTimes(cron('0 * * * *'), at('2026-01-01T00:00:00Z'), 10, {
      untilMs: at('2026-01-01T03:00:00Z'),
    });
    expect(times.map(iso)).toEqual([
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T02:00:00.000Z',
      '2026-01-01T03:00:00.000Z',
    ]);
  });

  it('returns nothing for a count of 0', () => expect(nextFireTimes(cron('* * * * *'), 0, 0)).toEqual([]));

  it.each([
    [-1, /count: must be a non-negative integer, got -1/],
    [1.5, /count: must be a non-negative integer/],
  ])('refuses a count of %d', (count, message) => {
    expect(() => nextFireTimes(cron('* * * * *'), 0, count)).toThrow(message);
  });

  it('refuses a non-finite instant or an invalid timing with INVALID_ARGUMENT', () => {
    const refusal = (run: () => unknown): AppError => {
      try {
        run();
      } catch (error) {
        if (error instanceof AppError) return error;
      }
      throw new Error('expected an AppError');
    };
    expect(refusal(() => nextFireTimes(cron('* * * * *'), Number.NaN, 1)).message).toMatch(/^afterMs:/);
    expect(refusal(() => nextFireTimes(cron('61 * * * *'), 0, 1)).message).toMatch(
      /^cron: .*Constraint error/,
    );
    expect(refusal(() => nextFireTimes(cron('* * * * *', 'Mars/Olympus'), 0, 1)).message).toMatch(
      /^timezone: "Mars\/Olympus" is not a known IANA time zone/,
    );
    expect(refusal(() => nextFireTimes({ kind: 'every', everyMs: 1000 }, 0, 1)).message).toMatch(
      /^anchorMs:/,
    );
    expect(refusal(() => nextFireTimes({ kind: 'every', everyMs: 0 }, 0, 1, { anchorMs: 0 })).code).toBe(
      'INVALID_ARGUMENT',
    );
    // Even when there is nothing to compute.
    expect(refusal(() => nextFireTimes(cron('61 * * * *'), 0, 0)).message).toMatch(/^cron:/);
    expect(refusal(() => fireTimesBetween(cron('* * * * *', 'Mars/Olympus'), 10, 10, 5)).message).toMatch(
      /^timezone:/,
    );
  });
});

describe('every', () => {
  const every = (everyMs: number): ScheduleTiming => ({ kind: 'every', everyMs });
  const anchorMs = at('2026-01-01T00:00:00Z');

  it('fires at anchor + k*interval, k ≥ 1, strictly after afterMs', () => {
    const minute = every(60_000);
    expect(nextFireTimes(minute, anchorMs, 2, { anchorMs })).toEqual([anchorMs + 60_000, anchorMs + 120_000]);
    expect(nextFireTimes(minute, anchorMs - 10 * HOUR, 1, { anchorMs })).toEqual([anchorMs + 60_000]);
    expect(nextFireTimes(minute, anchorMs + 60_000, 1, { anchorMs })).toEqual([anchorMs + 120_000]);
    expect(nextFireTimes(minute, anchorMs + 60_001, 1, { anchorMs })).toEqual([anchorMs + 120_000]);
    expect(nextFireTimes(minute, anchorMs + 119_999, 1, { anchorMs })).toEqual([anchorMs + 120_000]);
  });

  it('stays on the anchor grid far from it', () => {
    const sevenSeconds = every(7_000);
    const [time] = nextFireTimes(sevenSeconds, anchorMs + 365 * 24 * HOUR, 1, { anchorMs });
    expect((time! - anchorMs) % 7_000).toBe(0);
    expect(time! - (anchorMs + 365 * 24 * HOUR)).toBeGreaterThan(0);
    expect(time! - (anchorMs + 365 * 24 * HOUR)).toBeLessThanOrEqual(7_000);
  });

  it('lists the runs in a window, bounded and truncated', () => {
    const minute = every(60_000);
    expect(fireTimesBetween(minute, anchorMs + 90_000, anchorMs + 300_000, 10, { anchorMs })).toEqual({
      times: [anchorMs + 120_000, anchorMs + 180_000, anchorMs + 240_000, anchorMs + 300_000],
      truncated: false,
    });
    expect(fireTimesBetween(minute, anchorMs, anchorMs + 1000 * HOUR, 3, { anchorMs })).toEqual({
      times: [anchorMs + 60_000, anchorMs + 120_000, anchorMs + 180_000],
      truncated: true,
    });
  });
});

describe('once', () => {
  const runAtMs = at('2026-06-01T09:00:00Z');
  const once: ScheduleTiming = { kind: 'once', runAtMs };

  it('fires at runAtMs only, while it is after afterMs', () => {
    expect(nextFireTimes(once, runAtMs - 1, 5)).toEqual([runAtMs]);
    expect(nextFireTimes(once, runAtMs, 5)).toEqual([]);
    expect(nextFireTimes(once, runAtMs - 1, 1, { untilMs: runAtMs - 1 })).toEqual([]);
    expect(fireTimesBetween(once, 0, runAtMs, 1)).toEqual({ times: [runAtMs], truncated: false });
    expect(fireTimesBetween(once, 0, runAtMs - 1, 1)).toEqual({ times: [], truncated: false });
  });
});

describe('fireTimesBetween', () => {
  const hourly = cron('0 * * * *');

  it('takes afterMs < t <= untilMs', () => {
    expect(between(hourly, '2026-01-01T00:00:00Z', '2026-01-01T03:00:00Z')).toEqual([
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T02:00:00.000Z',
      '2026-01-01T03:00:00.000Z',
    ]);
  });

  it('says when it stopped at the limit', () => {
    const [after, until] = [at('2026-01-01T00:00:00Z'), at('2026-01-01T03:00:00Z')];
    expect(fireTimesBetween(hourly, after, until, 2)).toEqual({
      times: [at('2026-01-01T01:00:00Z'), at('2026-01-01T02:00:00Z')],
      truncated: true,
    });
    expect(fireTimesBetween(hourly, after, until, 3).truncated).toBe(false);
    expect(fireTimesBetween(hourly, after, until, 0)).toEqual({ times: [], truncated: true });
  });

  it('finds nothing in an empty or reversed window', () => {
    const instant = at('2026-01-01T01:00:00Z');
    expect(fireTimesBetween(hourly, instant, instant, 10)).toEqual({ times: [], truncated: false });
    expect(fireTimesBetween(hourly, instant, instant - HOUR, 10)).toEqual({ times: [], truncated: false });
  });

  it('does not iterate past the limit over a long outage', () => {
    const result = fireTimesBetween(
      cron('* * * * * *'),
      at('2020-01-01T00:00:00Z'),
      at('2026-01-01T00:00:00Z'),
      5,
    );
    expect(result.truncated).toBe(true);
    expect(result.times.map(iso)).toEqual([
      '2020-01-01T00:00:01.000Z',
      '2020-01-01T00:00:02.000Z',
      '2020-01-01T00:00:03.000Z',
      '2020-01-01T00:00:04.000Z',
      '2020-01-01T00:00:05.000Z',
    ]);
  });
});

describe('formatFireTime', () => {
  it.each([
    ['2026-03-29T01:00:00Z', 'Europe/Paris', '2026-03-29 03:00 CEST (Europe/Paris)'],
    ['2026-01-15T12:00:00Z', 'Europe/Paris', '2026-01-15 13:00 CET (Europe/Paris)'],
    ['2026-07-01T12:00:00Z', 'America/New_York', '2026-07-01 08:00 EDT (America/New_York)'],
    ['2026-01-15T12:00:00Z', 'UTC', '2026-01-15 12:00 UTC'],
    ['2026-01-15T12:00:00Z', 'Etc/UTC', '2026-01-15 12:00 UTC (Etc/UTC)'],
    ['2026-01-15T12:00:45Z', 'UTC', '2026-01-15 12:00:45 UTC'],
    ['2026-01-15T12:00:00Z', 'Australia/Sydney', '2026-01-15 23:00 AEDT (Australia/Sydney)'],
    ['2026-01-15T12:00:00Z', 'Asia/Tokyo', '2026-01-15 21:00 UTC+9 (Asia/Tokyo)'],
    ['2026-12-31T23:30:00Z', 'Asia/Kathmandu', '2027-01-01 05:15 UTC+5:45 (Asia/Kathmandu)'],
  ])('shows %s in %s as %j', (instant, zone, text) => expect(formatFireTime(at(instant), zone)).toBe(text));

  it('refuses an unknown zone', () => {
    expect(() => formatFireTime(0, 'Mars/Olympus')).toThrow(
      /timezone: "Mars\/Olympus" is not a known IANA time zone/,
    );
  });
});
