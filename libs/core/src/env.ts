import { z } from 'zod';
import { AppError } from './errors';
import { formatZodIssues } from './validation';

/** A strict boolean from the environment: "true"/"1" and "false"/"0" only; anything else is an error. */
export const EnvBoolean = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true, false, 1 or 0' })
  .transform((value) => value === 'true' || value === '1');

/** A comma-separated list; empty entries are dropped. */
export const EnvList = z.string().transform((value) =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== ''),
);

/** An integer from the environment, with bounds. */
export function envInt(min: number, max: number) {
  return z.coerce.number().int('must be an integer').min(min).max(max);
}

/**
 * Validates the environment once, at start: every invalid variable is named, and one bad value
 * never silently resets the others. Empty strings count as unset.
 * @throws AppError CONFIG_INVALID
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.output<S> {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = schema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  throw new AppError('CONFIG_INVALID', `invalid configuration: ${formatZodIssues(parsed.error.issues)}`);
}
