import { peakOverlap, percentile, summarize } from './stats';

describe('percentile', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('uses the nearest rank, so every value returned was observed', () => {
    expect(percentile(oneToHundred, 50)).toBe(50);
    expect(percentile(oneToHundred, 95)).toBe(95);
    expect(percentile(oneToHundred, 99)).toBe(99);
    expect(percentile(oneToHundred, 100)).toBe(100);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 51)).toBe(30);
  });

  it('gives the minimum at p0 and handles a single value', () => {
    expect(percentile(oneToHundred, 0)).toBe(1);
    expect(percentile([7], 0)).toBe(7);
    expect(percentile([7], 99)).toBe(7);
  });

  it('does not depend on input order and leaves the input alone', () => {
    const shuffled = [5, 1, 4, 2, 3];
    expect(percentile(shuffled, 60)).toBe(3);
    expect(shuffled).toEqual([5, 1, 4, 2, 3]);
  });

  it('shows a single slow outlier only at the top of 1,000 samples', () => {
    const values = [...Array.from({ length: 999 }, () => 1), 500];
    expect(percentile(values, 99)).toBe(1);
    expect(percentile(values, 100)).toBe(500);
  });

  it('refuses an empty sample and a p outside [0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], -1)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('reports count, extremes, mean and percentiles', () => {
    expect(summarize([4, 1, 3, 2])).toEqual({ count: 4, min: 1, mean: 2.5, p50: 2, p95: 4, p99: 4, max: 4 });
  });
});

describe('peakOverlap', () => {
  it('counts intervals open at the same instant', () => {
    expect(peakOverlap([])).toBe(0);
    expect(
      peakOverlap([
        { start: 0, end: 10 },
        { start: 5, end: 15 },
        { start: 6, end: 7 },
        { start: 20, end: 30 },
      ]),
    ).toBe(3);
  });

  it('does not count back-to-back intervals as overlapping', () => {
    expect(
      peakOverlap([
        { start: 0, end: 10 },
        { start: 10, end: 20 },
      ]),
    ).toBe(1);
  });
});
