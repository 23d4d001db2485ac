import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { AffinitySchema, RequiredLabelsSchema } from './worker-labels';

// ---------------------------------------------------------------------------------------------
// Identifiers
// ---------------------------------------------------------------------------------------------

export const TaskIdSchema = z
  .string()
  .regex(/^task-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must look like task-<uuid>');

export function newTaskId(): string {
  return `task-${randomUUID()}`;
}

/** The branch a task works on. The full task id keeps it unique (the original kept 3 characters). */
export function taskBranchName(taskId: string): string {
  return `claudine/${taskId}`;
}

// ---------------------------------------------------------------------------------------------
// Enumerations
// ---------------------------------------------------------------------------------------------

export const PRIORITIES = ['P0', 'P1', 'P2'] as const;
export const PrioritySchema = z.enum(PRIORITIES);
export type Priority = z.infer<typeof PrioritySchema>;

/** BullMQ priority for each task priority: lower runs first, and 0 (unprioritized) is never used. */
export const BULLMQ_PRIORITY: Readonly<Record<Priority, number>> = { P0: 1, P1: 2, P2: 3 };

/** `blocked`: waiting for its dependencies (`dependsOn`); then `queued` for a worker. */
export const TASK_STATES = ['blocked', 'queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export const TaskStateSchema = z.enum(TASK_STATES);
export type TaskState = z.infer<typeof TaskStateSchema>;

export const TERMINAL_STATES: ReadonlySet<TaskState> = new Set(['completed', 'failed', 'cancelled']);
export function isTerminalState(state: TaskState): boolean {
  return TERMINAL_STATES.has(state);
}

/**
 * What happens to a completed task's work: `branch` keeps the task branch (pushed to the remote
 * for URL repositories); `pr` pushes it and opens a pull request with `gh`; `auto` merges it into
 * the base branch (conflict-checked, compare-and-swap); `patch` keeps a patch; `none` nothing.
 */
export const MERGE_STRATEGIES = ['branch', 'pr', 'auto', 'patch', 'none'] as const;
export const MergeStrategySchema = z.enum(MERGE_STRATEGIES);
export type MergeStrategy = z.infer<typeof MergeStrategySchema>;

/** The worktree after a task: `auto` removes it after success and keeps it otherwise; `keep`; `delete`. */
export const WORKTREE_CLEANUPS = ['auto', 'keep', 'delete'] as const;
export const WorktreeCleanupSchema = z.enum(WORKTREE_CLEANUPS);
export type WorktreeCleanup = z.infer<typeof WorktreeCleanupSchema>;

/**
 * What a task does when one of its dependencies fails or is cancelled: `fail` (it fails, reason
 * `dependency_failed`), `cancel` (it is cancelled), or `continue` (it runs anyway, told which one).
 * Either of the first two cascades to its own dependents.
 */
export const DEPENDENCY_FAILURE_POLICIES = ['fail', 'cancel', 'continue'] as const;
export const DependencyFailurePolicySchema = z.enum(DEPENDENCY_FAILURE_POLICIES);
export type DependencyFailurePolicy = z.infer<typeof DependencyFailurePolicySchema>;

/** The state of one dependency edge, as its dependent sees it. */
export const EDGE_STATES = ['pending', 'completed', 'failed', 'cancelled'] as const;
export type EdgeState = (typeof EDGE_STATES)[number];

export const PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'bypassPermissions', 'dontAsk'] as const;
export const PermissionModeSchema = z.enum(PERMISSION_MODES);
export type PermissionMode = z.infer<typeof PermissionModeSchema>;

// ---------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------

export const TASK_LIMITS = {
  promptMaxChars: 100_000,
  timeoutMinMs: 1_000,
  timeoutMaxMs: 86_400_000,
  defaultTimeoutMs: 30 * 60_000,
  maxLabels: 32,
  maxAllowedTools: 100,
  maxTurnsMax: 1_000,
  appendSystemPromptMaxChars: 20_000,
  maxBudgetUsd: 10_000,
  maxAttemptsMax: 10,
  defaultMaxAttempts: 3,
  /** Dependencies of one task, and the longest chain of dependencies above a task. */
  maxDependencies: 100,
  maxDependencyDepth: 100,
} as const;

// ---------------------------------------------------------------------------------------------
// Repository, ref and path rules (these strings reach git: they must never read as options)
// ---------------------------------------------------------------------------------------------

const URL_SCHEMES = ['https:', 'http:', 'ssh:', 'git:', 'file:'] as const;

/** URL schemes a repository may use; a deployment narrows them (CLAUDINE_REPOSITORY_URL_SCHEMES). */
export const REPOSITORY_URL_SCHEMES = ['https', 'http', 'ssh', 'git', 'file'] as const;
export type RepositoryUrlScheme = (typeof REPOSITORY_URL_SCHEMES)[number];

/** The scheme of a validated repository URL; `user@host:path` is ssh. */
export function repositoryUrlScheme(url: string): string {
  if (SCP_LIKE.test(url)) return 'ssh';
  try {
    return new URL(url).protocol.replace(/:$/, '');
  } catch {
    return '';
  }
}
const SCP_LIKE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[A-Za-z0-9._~/-]+$/;

export type RepositoryLocation = { kind: 'path'; path: string } | { kind: 'url'; url: string };

/** Tells a local path from a git URL. Callers validate with RepositorySchema first. */
export function classifyRepository(repository: string): RepositoryLocation {
  if (path.isAbsolute(repository)) return { kind: 'path', path: path.normalize(repository) };
  return { kind: 'url', url: repository };
}

export const RepositorySchema = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(4096)
  .superRefine((value, ctx) => {
    if (/[\0-\x1f\x7f]/.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'must not contain control characters' });
      return;
    }
    if (value.startsWith('-')) {
      ctx.addIssue({ code: 'custom', message: 'must not start with "-"' });
      return;
    }
    if (path.isAbsolute(value)) return;
    if (SCP_LIKE.test(value)) return;
    if (value.includes('://')) {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a valid git URL` });
        return;
      }
      if (!(URL_SCHEMES as readonly string[]).includes(url.protocol)) {
        ctx.addIssue({
          code: 'custom',
          message: `scheme "${url.protocol}" is not supported (use ${URL_SCHEMES.join(', ')} or an absolute path)`,
        });
      } else if (url.protocol !== 'file:' && url.hostname === '') {
        ctx.addIssue({ code: 'custom', message: `"${value}" has no host` });
      }
      return;
    }
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is neither an absolute path nor a git URL (https://, ssh://, git://, file://, user@host:path)`,
    });
  });

/** A branch, tag or commit name as `git check-ref-format` would accept it, never an option. */
export const GitRefSchema = z
  .string()
  .trim()
  .max(255)
  .regex(
    /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)(?!.*\.lock$)(?!\/)(?!.*\/$)[A-Za-z0-9._/@+-]+$/,
    'is not a valid git ref name',
  );

/** A relative path inside the repository; `..` and absolute paths cannot escape it. */
export const WorkingDirectorySchema = z
  .string()
  .trim()
  .max(1024)
  .superRefine((value, ctx) => {
    if (value === '') return;
    if (/[\0-\x1f\x7f]/.test(value))
      ctx.addIssue({ code: 'custom', message: 'must not contain control characters' });
    else if (path.isAbsolute(value) || value.startsWith('~'))
      ctx.addIssue({ code: 'custom', message: 'must be relative to the repository root' });
    else if (path.posix.normalize(value).split('/').includes('..'))
      ctx.addIssue({ code: 'custom', message: 'must stay inside the repository (no "..")' });
  })
  .transform((value) =>
    value === '' ? '' : path.posix.normalize(value).replace(/\/$/, '').replace(/^\.$/, ''),
  );

// ---------------------------------------------------------------------------------------------
// The task specification: what a caller asks for. The one validation of every entry point.
// ---------------------------------------------------------------------------------------------

export const AgentOptionsSchema = z
  .object({
    model: z
      .string()
      .trim()
      .max(200)
      .regex(/^[A-Za-z0-9._:[\]@/-]*$/, 'is not a model name')
      .optional(),
    permissionMode: PermissionModeSchema.optional(),
    allowedTools: z.array(z.string().trim().min(1).max(500)).max(TASK_LIMITS.maxAllowedTools).optional(),
    maxTurns: z.number().int().min(1).max(TASK_LIMITS.maxTurnsMax).optional(),
    appendSystemPrompt: z.string().max(TASK_LIMITS.appendSystemPromptMaxChars).optional(),
    maxBudgetUsd: z.number().positive().max(TASK_LIMITS.maxBudgetUsd).optional(),
  })
  .strict();
export type AgentOptions = z.infer<typeof AgentOptionsSchema>;

const LabelKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/, 'label keys are 1-63 letters, digits, ".", "_", "/" or "-"');

export const TaskSpecSchema = z
  .object({
    prompt: z
      .string()
      .refine((value) => value.trim().length > 0, 'must not be empty')
      .refine(
        (value) => value.length <= TASK_LIMITS.promptMaxChars,
        `must be at most ${TASK_LIMITS.promptMaxChars} characters`,
      ),
    repository: RepositorySchema,
    baseRef: GitRefSchema.optional(),
    workingDirectory: WorkingDirectorySchema.optional(),
    priority: PrioritySchema.default('P2'),
    timeoutMs: z
      .number()
      .int()
      .min(TASK_LIMITS.timeoutMinMs, `must be at least ${TASK_LIMITS.timeoutMinMs} ms (1s)`)
      .max(TASK_LIMITS.timeoutMaxMs, `must be at most ${TASK_LIMITS.timeoutMaxMs} ms (24h)`)
      .default(TASK_LIMITS.defaultTimeoutMs),
    agent: AgentOptionsSchema.default({}),
    labels: z
      .record(LabelKeySchema, z.string().max(256))
      .refine(
        (labels) => Object.keys(labels).length <= TASK_LIMITS.maxLabels,
        `at most ${TASK_LIMITS.maxLabels} labels`,
      )
      .default({}),
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .max(TASK_LIMITS.maxAttemptsMax)
      .default(TASK_LIMITS.defaultMaxAttempts),
    mergeStrategy: MergeStrategySchema.default('branch'),
    worktreeCleanup: WorktreeCleanupSchema.default('auto'),
    dryRun: z.boolean().default(false),
    /** Tasks that must finish first. */
    dependsOn: z
      .array(TaskIdSchema)
      .max(TASK_LIMITS.maxDependencies, `at most ${TASK_LIMITS.maxDependencies} dependencies`)
      .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a task id')
      .default([]),
    onDependencyFailure: DependencyFailurePolicySchema.default('fail'),
    /**
     * A task this one builds on (a dependency too): the worktree starts from its branch, and the
     * prompt is given its result text.
     */
    continueFrom: TaskIdSchema.optional(),
    /** Worker labels the task needs: it runs only on a worker that has every one (lower-cased, sorted). */
    requires: RequiredLabelsSchema.default([]),
    /**
     * A task id or a free key: the task prefers the worker that last ran that task (or a task with
     * that key), and falls back to any capable worker after the coordinator's affinity wait.
     */
    affinity: AffinitySchema.optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (
      spec.continueFrom !== undefined &&
      !spec.dependsOn.includes(spec.continueFrom) &&
      spec.dependsOn.length >= TASK_LIMITS.maxDependencies
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['dependsOn'],
        message: `at most ${TASK_LIMITS.maxDependencies} dependencies, continueFrom included`,
      });
    }
    if (spec.continueFrom !== undefined && spec.baseRef !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['baseRef'],
        message: "must not be given with continueFrom (the work starts from that task's branch)",
      });
    }
  });

/** A validated task specification, defaults applied. */
export type TaskSpec = z.output<typeof TaskSpecSchema>;
/** A task specification as a caller writes it. */
export type TaskSpecInput = z.input<typeof TaskSpecSchema>;

// ---------------------------------------------------------------------------------------------
// What a task becomes: attempts, result, error
// ---------------------------------------------------------------------------------------------

export const TokenUsageSchema = z.object({
  inputTokens: z.number().default(0),
  outputTokens: z.number().default(0),
  cacheCreationInputTokens: z.number().default(0),
  cacheReadInputTokens: z.number().default(0),
});
export type TokenUsage = z.infer<typeof TokenUsageSchema>;

export const MERGE_OUTCOMES = [
  'kept',
  'pushed',
  'pr_opened',
  'merged',
  'conflict',
  'refused',
  'patch',
  'skipped',
  'dry_run',
] as const;

export const MergeResultSchema = z.object({
  strategy: MergeStrategySchema,
  outcome: z.enum(MERGE_OUTCOMES),
  detail: z.string().default(''),
  baseBranch: z.string().optional(),
  mergedCommit: z.string().optional(),
  conflicts: z.array(z.string()).default([]),
  patchPath: z.string().optional(),
  /** `git diff --stat` of the task's changes (dry runs). */
  diffstat: z.string().optional(),
  /** The remote the task branch went to (URL repositories, `pr`). */
  remote: z.string().optional(),
  /** True when the task branch was pushed to `remote`. */
  pushed: z.boolean().optional(),
  /** The pull request `pr` opened. */
  prUrl: z.string().optional(),
});
export type MergeResult = z.infer<typeof MergeResultSchema>;

export const TaskResultSchema = z.object({
  text: z.string().default(''),
  sessionId: z.string().default(''),
  costUsd: z.number().default(0),
  usage: TokenUsageSchema.default({
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationInputTokens: 0,
    cacheReadInputTokens: 0,
  }),
  numTurns: z.number().int().default(0),
  durationMs: z.number().default(0),
  branch: z.string().default(''),
  commit: z.string().default(''),
  changedFiles: z.array(z.string()).default([]),
  merge: MergeResultSchema.optional(),
});
export type TaskResult = z.infer<typeof TaskResultSchema>;

export const TaskErrorSchema = z.object({ code: z.string(), message: z.string() });
export type TaskError = z.infer<typeof TaskErrorSchema>;

export const ATTEMPT_OUTCOMES = ['completed', 'failed', 'cancelled'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

export const AttemptSchema = z.object({
  number: z.number().int().min(1),
  workerId: z.string(),
  startedAtMs: z.number(),
  agentStartedAtMs: z.number().optional(),
  endedAtMs: z.number().optional(),
  exitCode: z.number().int().nullable().optional(),
  sessionId: z.string().optional(),
  outcome: z.enum(ATTEMPT_OUTCOMES).optional(),
  error: z.string().optional(),
});
export type Attempt = z.infer<typeof AttemptSchema>;

/** How a resumed task continues its predecessor's Claude session, on the worker that holds it. */
export interface ResumePlan {
  fromTaskId: string;
  sessionId: string;
  workerId: string;
}

/** One dependency of a task, and how it stands. */
export interface DependencyEdge {
  taskId: string;
  state: EdgeState;
}

/** A task as stored and as read back. */
export interface Task {
  id: string;
  /** The tenant that owns it (its events belong to it too). */
  tenant: string;
  spec: TaskSpec;
  state: TaskState;
  createdAtMs: number;
  updatedAtMs: number;
  startedAtMs?: number;
  endedAtMs?: number;
  attempts: Attempt[];
  result?: TaskResult;
  error?: TaskError;
  cancelReason?: string;
  cancelRequested?: boolean;
  /** The task this one retries. */
  retryOf?: string;
  /** The task this one continues. */
  resumedFrom?: string;
  /** Set when this task continues the same session (ResumeTask, same-session mode). */
  resume?: ResumePlan;
  /** Its dependencies (spec.dependsOn, with continueFrom), each with its edge's state. */
  dependencies?: DependencyEdge[];
  /** Tasks that depend on this one. */
  dependents?: string[];
  /** Why a queued task is not running yet, when known (e.g. no live worker has its labels). */
  waitingReason?: string;
}

/** The dependencies a task waits on: `dependsOn` and `continueFrom`, once each. */
export function dependencyIds(spec: Pick<TaskSpec, 'dependsOn' | 'continueFrom'>): string[] {
  const ids = [...spec.dependsOn];
  if (spec.continueFrom !== undefined && !ids.includes(spec.continueFrom)) ids.push(spec.continueFrom);
  return ids;
}
