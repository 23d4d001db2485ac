/** Distribution of a sample, in the sample's unit. */
export interface Summary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * Nearest-rank percentile: the smallest sample value with at least p% of the sample at or below
 * it. No interpolation, so every reported value was actually observed (a p99 of 1,000 samples is
 * the 990th smallest, not a blend of two runs).
 * @param p 0 to 100; 0 gives the minimum.
 * @throws RangeError on an empty sample or p outside [0, 100]
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of an empty sample');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside [0, 100]`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** @throws RangeError on an empty sample */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError('summary of an empty sample');
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => percentile(sorted, p);
  return {
    count: sorted.length,
    min: sorted[0] as number,
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: sorted[sorted.length - 1] as number,
  };
}

/** The most intervals open at one instant; an interval ending at t does not overlap one starting at t. */
export function peakOverlap(intervals: readonly { start: number; end: number }[]): number {
  const edges: [number, number][] = [];
  for (const { start, end } of intervals) edges.push([start, 1], [end, -1]);
  // Ends before starts at equal times, so back-to-back runs do not count as concurrent.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let peak = 0;
  for (const [, delta] of edges) {
    open += delta;
    peak = Math.max(peak, open);
  }
  return peak;
}
