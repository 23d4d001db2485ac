import { AppError } from './errors';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Parses a human duration such as `90s`, `30m`, `1h30m` or a bare number of milliseconds.
 * @throws AppError INVALID_ARGUMENT when the text is not a duration.
 */
export function parseDuration(text: string, field = 'duration'): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (const match of trimmed.matchAll(pattern)) {
    total += Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    matched += match[0].length;
  }
  if (trimmed.length === 0 || matched !== trimmed.length) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `${field}: "${text}" is not a duration (examples: 90s, 30m, 1h30m)`,
      {
        details: { fields: [field] },
      },
    );
  }
  return Math.round(total);
}

/** Formats milliseconds compactly: 1500 → "1.5s", 5400000 → "1h30m". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  if (hours > 0) return minutes > 0 ? `${hours}h${minutes}m` : `${hours}h`;
  return seconds > 0 ? `${minutes}m${seconds}s` : `${minutes}m`;
}
