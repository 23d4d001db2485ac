import { z } from 'zod';

/**
 * Worker labels and a task's label requirements (`requires`). A label is 1-63 characters:
 * letters, digits and `: . _ -`, starting with a letter or digit (`gpu`, `repo:web`, `os:linux`).
 * Labels compare case-insensitively: both sides are stored lower-case.
 */
export const WORKER_LABEL_PATTERN = /^[a-z0-9][a-z0-9:._-]{0,62}$/i;

/** At most this many labels in a task's `requires`. */
export const MAX_REQUIRED_LABELS = 16;

export const WorkerLabelSchema = z
  .string()
  .trim()
  .regex(
    WORKER_LABEL_PATTERN,
    'a label is 1-63 letters, digits, ":", ".", "_" or "-", starting with a letter or digit',
  )
  .transform((label) => label.toLowerCase());

/** Lower-cased, without repeats, sorted: one requirement set has one spelling. */
export function normalizeLabels(labels: readonly string[]): string[] {
  return [...new Set(labels.map((label) => label.toLowerCase()))].sort();
}

/** Whether a worker with `labels` meets every one of `required` (both normalized). */
export function hasLabels(labels: readonly string[], required: readonly string[]): boolean {
  const have = new Set(labels);
  return required.every((label) => have.has(label));
}

export const RequiredLabelsSchema = z
  .array(WorkerLabelSchema)
  .max(MAX_REQUIRED_LABELS, `at most ${MAX_REQUIRED_LABELS} labels`)
  .transform(normalizeLabels);

/** `affinity`: a task id, or a key of the caller's choosing that related tasks share. */
export const AFFINITY_MAX_CHARS = 128;
export const AffinitySchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(AFFINITY_MAX_CHARS, `must be at most ${AFFINITY_MAX_CHARS} characters`)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9:._/@+-]*$/,
    'is a task id or a key of letters, digits, ":", ".", "_", "/", "@", "+" or "-"',
  );
