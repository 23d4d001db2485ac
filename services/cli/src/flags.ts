import type { z } from 'zod';
import { AppError } from '@claudine/core';

const toFlag = (name: string): string =>
  `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;

/**
 * Validates a command's flags, naming each bad one as the user typed it (`--max-turns: ...`).
 * @throws AppError INVALID_ARGUMENT
 */
export function parseFlags<S extends z.ZodType>(schema: S, flags: unknown): z.output<S> {
  const parsed = schema.safeParse(flags);
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues
    .map((issue) => {
      const [name, ...rest] = issue.path.map(String);
      const where = name === undefined ? '(flags)' : [toFlag(name), ...rest].join('.');
      return `${where}: ${issue.message}`;
    })
    .join('; ');
  throw new AppError('INVALID_ARGUMENT', message);
}
