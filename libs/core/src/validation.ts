import type { z } from 'zod';
import { AppError } from './errors';

/** One line per issue, each naming the field at fault: `spec.priority: Invalid option ...`. */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[], root?: string): string {
  return issues
    .map((issue) => {
      const path = [root, ...issue.path.map(String)].filter((part) => part !== undefined && part !== '');
      return `${path.length > 0 ? path.join('.') : '(input)'}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * Parses input with a schema, or throws an INVALID_ARGUMENT AppError naming every field at fault.
 * `root` prefixes field paths, so the message reads as the caller wrote the request.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, root?: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((issue) =>
    [root, ...issue.path.map(String)].filter(Boolean).join('.'),
  );
  throw new AppError('INVALID_ARGUMENT', formatZodIssues(parsed.error.issues, root), { details: { fields } });
}
