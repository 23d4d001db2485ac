import { AppError } from './errors';
import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1500', 1500],
    ['1.5s', 1500],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '5 minutes', '1x', 'm5'])('refuses %j naming the field', (text) => {
    expect(() => parseDuration(text, '--timeout')).toThrow(AppError);
    expect(() => parseDuration(text, '--timeout')).toThrow(/^--timeout:/);
  });
});

describe('formatDuration', () => {
  it.each([
    [500, '500ms'],
    [1500, '1.5s'],
    [90_000, '1m30s'],
    [5_400_000, '1h30m'],
  ])('%d ms reads %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
