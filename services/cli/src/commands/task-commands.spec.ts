import { AppError } from '@claudine/core';
import { parseFlags } from '../flags';
import { DelegateFlagsSchema, LogsFlagsSchema, parseSince, taskSpecFromFlags } from './task-commands';

describe('claudine logs flags', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');

  it.each([
    ['10m', now - 600_000],
    ['1h30m', now - 5_400_000],
    ['2025-06-01T11:00:00Z', Date.parse('2025-06-01T11:00:00Z')],
    ['2025-06-01T13:00:00+02:00', Date.parse('2025-06-01T11:00:00Z')],
    ['2025-06-01', Date.parse('2025-06-01T00:00:00Z')],
  ])('--since %s', (text, expected) => expect(parseSince(text, now)).toBe(expected));

  it.each(['yesterday', '10 minutes', '2025-13-45T99:00:00Z', ''])('--since %j is refused', (text) => {
    expect(parseSince(text, now)).toBeUndefined();
    expect(() => parseFlags(LogsFlagsSchema, { since: text })).toThrow(/^--since: /);
  });

  it('accepts --tail from 1 to 10000, and refuses anything else naming the flag', () => {
    expect(parseFlags(LogsFlagsSchema, { tail: '1' }).tail).toBe(1);
    expect(parseFlags(LogsFlagsSchema, { tail: '10000' }).tail).toBe(10_000);
    expect(parseFlags(LogsFlagsSchema, {})).toEqual({ follow: false, json: false });
    for (const tail of ['0', '10001', '-3', '2.5', 'ten']) {
      const error = (() => {
        try {
          parseFlags(LogsFlagsSchema, { tail });
        } catch (e) {
          return e;
        }
      })();
      expect(AppError.is(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as AppError).message).toMatch(/^--tail: must be (a whole number )?between 1 and 10000$/);
    }
  });
});

describe('claudine delegate --requires and --affinity', () => {
  it('splits --requires at commas, across repeats, and sends --affinity as given', () => {
    const flags = parseFlags(DelegateFlagsSchema, {
      repo: '/srv/repo',
      requires: ['gpu,repo:web', ' os:linux '],
      affinity: 'build-cache',
    });
    const spec = taskSpecFromFlags('p', flags);
    expect(spec.requires).toEqual(['gpu', 'repo:web', 'os:linux']);
    expect(spec.affinity).toBe('build-cache');
    expect(taskSpecFromFlags('p', parseFlags(DelegateFlagsSchema, { repo: '/srv/repo' }))).toMatchObject({
      requires: [],
      affinity: '',
    });
  });
});
