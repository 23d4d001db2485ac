import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import {
  AppError,
  DependencyFailurePolicySchema,
  formatTranscriptEvent,
  isTerminalState,
  parseDuration,
  MergeStrategySchema,
  WorktreeCleanupSchema,
  PermissionModeSchema,
  PrioritySchema,
  TaskIdSchema,
  TaskStateSchema,
  TenantSchema,
  type Task,
} from '@claudine/core';
import { priorityToProto, type ProtoTaskSpec } from '@claudine/proto';
import type { ClusterClient } from '../client/cluster-client';
import { parseFlags } from '../flags';
import { graphCommand } from './graph-command';
import { EXIT, formatTaskDetail, formatTaskRow, print, printJson } from '../output';

const StatusFlagsSchema = z.object({
  state: z.array(z.string().toLowerCase().pipe(TaskStateSchema)),
  limit: z.coerce.number().int().min(1).max(500),
  tenant: TenantSchema.optional(),
});

/** The flags of `claudine delegate`, validated before anything is sent. */
export const DelegateFlagsSchema = z.object({
  repo: z.string().optional(),
  base: z.string().optional(),
  workdir: z.string().optional(),
  priority: z.string().toUpperCase().pipe(PrioritySchema).default('P2'),
  timeout: z.string().optional(),
  model: z.string().optional(),
  permissionMode: PermissionModeSchema.optional(),
  allowedTools: z.array(z.string()).optional(),
  maxTurns: z.coerce.number().int().min(1).optional(),
  appendSystemPrompt: z.string().optional(),
  label: z.array(z.string().regex(/^[^=]+=.*$/, 'use key=value')).default([]),
  merge: MergeStrategySchema.default('branch'),
  worktree: WorktreeCleanupSchema.default('auto'),
  dryRun: z.boolean().default(false),
  maxAttempts: z.coerce.number().int().min(1).max(10).optional(),
  maxBudgetUsd: z.coerce.number().positive().optional(),
  dependsOn: z.array(TaskIdSchema).default([]),
  onDependencyFailure: DependencyFailurePolicySchema.default('fail'),
  continueFrom: TaskIdSchema.optional(),
  /** `--requires gpu,repo:web` (repeatable): split at commas; the coordinator validates each label. */
  requires: z
    .array(z.string())
    .default([])
    .transform((values) =>
      values
        .flatMap((value) => value.split(','))
        .map((label) => label.trim())
        .filter((label) => label !== ''),
    ),
  affinity: z.string().optional(),
  wait: z.boolean().default(false),
  json: z.boolean().default(false),
});
export type DelegateFlags = z.input<typeof DelegateFlagsSchema>;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * `--since`: a duration back from now (`10m`, `1h30m`) or an ISO 8601 time
 * (`2025-01-31T12:00:00Z`), as epoch milliseconds; undefined when it is neither.
 */
export function parseSince(text: string, nowMs = Date.now()): number | undefined {
  const trimmed = text.trim();
  if (ISO_TIME.test(trimmed)) {
    const time = Date.parse(trimmed);
    return Number.isNaN(time) ? undefined : time;
  }
  try {
    return nowMs - parseDuration(trimmed);
  } catch {
    return undefined;
  }
}

/** The flags of `claudine logs`, validated before anything is sent. */
export const LogsFlagsSchema = z.object({
  follow: z.boolean().default(false),
  json: z.boolean().default(false),
  tail: z
    .string()
    .regex(/^\d+$/, 'must be a whole number between 1 and 10000')
    .transform(Number)
    .pipe(z.number().min(1, 'must be between 1 and 10000').max(10_000, 'must be between 1 and 10000'))
    .optional(),
  since: z
    .string()
    .transform((text, ctx) => {
      const time = parseSince(text);
      if (time === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `"${text}" is neither a duration (10m, 1h30m) nor an ISO 8601 time (2025-01-31T12:00:00Z)`,
        });
        return z.NEVER;
      }
      return time;
    })
    .optional(),
});
export type LogsFlags = z.input<typeof LogsFlagsSchema>;

/** The repository a delegation names: a URL as given, a path made absolute, or the current git repository. */
export function resolveRepositoryFlag(repo: string | undefined, cwd = process.cwd()): string {
  if (repo !== undefined) {
    if (repo.includes('://') || /^[^/]+@[^/:]+:/.test(repo)) return repo;
    return path.resolve(cwd, repo);
  }
  try {
    return execFileSync('git', ['rev-parse', '--show-toplevel'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    throw new AppError('INVALID_ARGUMENT', '--repo: not inside a git repository; give --repo PATH|URL');
  }
}

/** The parsed flags that make a task spec: delegate's, a schedule's template, a pipeline's steps. */
export type TaskSpecFlags = Omit<
  z.output<typeof DelegateFlagsSchema>,
  'wait' | 'json' | 'dryRun' | 'continueFrom'
> & { dryRun?: boolean; continueFrom?: string };

/**
 * The spec a delegation sends, from parsed flags: the repository resolved, `--timeout` parsed,
 * the labels split. Shared by `delegate`, `schedule create` (the template) and `pipeline`.
 * @throws AppError INVALID_ARGUMENT naming `--timeout` or `--repo`
 */
export function taskSpecFromFlags(prompt: string, flags: TaskSpecFlags, cwd = process.cwd()): ProtoTaskSpec {
  const timeoutMs = flags.timeout === undefined ? 0 : parseDuration(flags.timeout, '--timeout');
  return {
    prompt,
    repository: resolveRepositoryFlag(flags.repo, cwd),
    baseRef: flags.base ?? '',
    workingDirectory: flags.workdir ?? '',
    priority: priorityToProto(flags.priority),
    timeoutMs,
    agent: {
      model: flags.model ?? '',
      permissionMode: flags.permissionMode ?? '',
      allowedTools: flags.allowedTools ?? [],
      maxTurns: flags.maxTurns ?? 0,
      appendSystemPrompt: flags.appendSystemPrompt ?? '',
      maxBudgetUsd: flags.maxBudgetUsd ?? 0,
    },
    mergeStrategy: flags.merge,
    worktreeCleanup: flags.worktree,
    dryRun: flags.dryRun ?? false,
    dependsOn: flags.dependsOn,
    onDependencyFailure: flags.onDependencyFailure,
    continueFrom: flags.continueFrom ?? '',
    requires: flags.requires,
    affinity: flags.affinity ?? '',
    maxAttempts: flags.maxAttempts ?? 0,
    labels: Object.fromEntries(
      flags.label.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    ),
  };
}

export async function delegateCommand(
  client: ClusterClient,
  prompt: string,
  rawFlags: DelegateFlags,
): Promise<number> {
  const flags = parseFlags(DelegateFlagsSchema, rawFlags);
  const task = await client.delegate(taskSpecFromFlags(prompt, flags));
  if (!flags.wait) {
    if (flags.json) printJson(task);
    else print(task.id);
    // Standard output stays the id alone, for scripts; a task that did not start out queued says so.
    if (!flags.json && task.state !== 'queued') process.stderr.write(`${describeStart(task)}\n`);
    return EXIT.ok;
  }
  if (!flags.json) print(describeStart(task));
  const finished = await followUntilDone(client, task.id, !flags.json);
  if (flags.json) printJson(finished);
  else print(`\n${formatTaskDetail(finished)}`);
  return finished.state === 'completed' ? EXIT.ok : EXIT.taskFailed;
}

/** How a new task starts out: queued, blocked on its dependencies, or already ended by one. */
function describeStart(task: Task): string {
  if (task.state === 'blocked') {
    const waiting = (task.dependencies ?? [])
      .filter((edge) => edge.state === 'pending')
      .map((edge) => edge.taskId);
    return `${task.id} blocked, waiting for ${waiting.join(', ')}`;
  }
  if (task.state === 'failed' || task.state === 'cancelled')
    return `${task.id} ${task.state}: ${task.error?.message ?? task.cancelReason ?? ''}`;
  return `${task.id} ${task.state}`;
}

/** Streams a task's transcript until it ends, then returns the final task. */
export async function followUntilDone(
  client: ClusterClient,
  taskId: string,
  printTranscript: boolean,
): Promise<Task> {
  for await (const event of client.watch(taskId, { follow: true })) {
    if (printTranscript) {
      const line = formatTranscriptEvent(event);
      if (line !== undefined) print(line);
    }
  }
  const task = await client.get(taskId);
  if (!isTerminalState(task.state))
    throw new AppError('UNAVAILABLE', `the event stream of ${taskId} ended before the task did`);
  return task;
}

export async function statusCommand(
  client: ClusterClient,
  taskId: string | undefined,
  flags: { json?: boolean; state?: string[]; limit?: string; graph?: boolean; tenant?: string },
): Promise<number> {
  if (flags.graph) return graphCommand(client, taskId, flags);
  if (taskId) {
    const task = await client.get(taskId);
    if (flags.json) printJson(task);
    else print(formatTaskDetail(task));
    return EXIT.ok;
  }
  const {
    state: states,
    limit,
    tenant,
  } = parseFlags(StatusFlagsSchema, {
    state: flags.state ?? [],
    limit: flags.limit ?? '50',
    tenant: flags.tenant,
  });
  const page = await client.list({ states, pageSize: limit, tenant });
  if (flags.json) printJson(page.tasks);
  else if (page.tasks.length === 0) print('no tasks');
  else for (const task of page.tasks) print(formatTaskRow(task));
  return EXIT.ok;
}

export async function logsCommand(
  client: ClusterClient,
  taskId: string,
  rawFlags: LogsFlags,
): Promise<number> {
  const flags = parseFlags(LogsFlagsSchema, rawFlags);
  const watch = { follow: flags.follow, tail: flags.tail ?? 0, sinceMs: flags.since ?? 0 };
  for await (const event of client.watch(taskId, watch)) {
    if (flags.json) print(JSON.stringify(event));
    else {
      const line = formatTranscriptEvent(event);
      if (line !== undefined) print(line);
    }
  }
  return EXIT.ok;
}

export async function cancelCommand(
  client: ClusterClient,
  taskId: string,
  flags: { reason?: string; json?: boolean },
): Promise<number> {
  const task = await client.cancel(taskId, flags.reason);
  if (flags.json) printJson(task);
  else
    print(
      task.state === 'cancelled'
        ? `${task.id} cancelled`
        : `${task.id} is stopping (cancel sent to its worker)`,
    );
  return EXIT.ok;
}

export async function retryCommand(
  client: ClusterClient,
  taskId: string,
  flags: { json?: boolean },
): Promise<number> {
  const task = await client.retry(taskId);
  if (flags.json) printJson(task);
  else print(task.id);
  return EXIT.ok;
}

export async function resumeCommand(
  client: ClusterClient,
  taskId: string,
  flags: { context?: string; json?: boolean },
): Promise<number> {
  const resumed = await client.resume(taskId, flags.context ?? '');
  if (flags.json) printJson(resumed);
  else
    print(
      `${resumed.task.id} queued (${resumed.mode === 'same_session' ? 'same session' : 'new session'}: ${resumed.explanation})`,
    );
  return EXIT.ok;
}

/** Writes a task's patch to stdout (for `git am`) or to a file. */
export async function patchCommand(
  client: ClusterClient,
  taskId: string,
  flags: { output?: string },
): Promise<number> {
  const { patch } = await client.getPatch(taskId);
  if (flags.output) {
    await writeFile(flags.output, patch);
    process.stderr.write(`wrote ${patch.length} bytes to ${flags.output}\n`);
  } else {
    process.stdout.write(patch);
  }
  return EXIT.ok;
}
