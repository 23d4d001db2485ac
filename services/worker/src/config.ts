import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import {
  EnvBoolean,
  EnvList,
  envInt,
  parseDuration,
  parseEnv,
  PERMISSION_MODES,
  parseByteSize,
  PermissionModeSchema,
  REPOSITORY_URL_SCHEMES,
  normalizeLabels,
  WorkerLabelSchema,
  RedisEnvShape,
  redisUrlFromEnv,
} from '@claudine/core';
import { LOG_LEVELS } from '@claudine/observability';
import { DEFAULT_AGENT_ENV_ALLOWLIST } from './execution/agent-environment';

/** The Claude Code CLI pinned by this package, or `claude` from PATH when it is not installed. */
export function defaultAgentCommand(): string {
  try {
    const require = createRequire(__filename);
    const packageJson = require.resolve('@anthropic-ai/claude-code/package.json');
    const binary = path.join(path.dirname(packageJson), 'bin', 'claude.exe');
    if (existsSync(binary)) return binary;
  } catch {
    // not installed next to the worker
  }
  return 'claude';
}

/** A duration such as 90s, 12h or 7d (or plain milliseconds). */
const EnvDuration = z.string().transform((text, ctx) => {
  try {
    return parseDuration(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (examples: 12h, 7d, 1d12h)` });
    return z.NEVER;
  }
});

/** A byte size such as 10737418240, 500M or 10G (powers of 1024). */
const EnvByteSize = z.string().transform((text, ctx) => {
  const bytes = parseByteSize(text);
  if (bytes === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a size (examples: 500M, 10G, 1T, 1048576)` });
    return z.NEVER;
  }
  return bytes;
});

/** A decimal number within bounds, such as 0.5 or 2. */
function EnvNumber(min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'must be a number such as 0.5 or 2')
    .transform(Number)
    .pipe(z.number().min(min).max(max));
}

/** Every variable the worker reads, validated once at start. */
export const ConfigSchema = z
  .object({
    /** Redis, shared by the whole cluster: REDIS_URL, or REDIS_SENTINELS + REDIS_SENTINEL_MASTER, or REDIS_CLUSTER_NODES. */
    ...RedisEnvShape,
    /** Key prefix; keep the braces (a Redis Cluster hash tag). */
    CLAUDINE_KEY_PREFIX: z.string().min(1).default('{claudine}'),
    /** This worker's id in the registry. Default: host-pid. */
    CLAUDINE_WORKER_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, ".", "_" and "-" only')
      .default(`${os.hostname()}-${process.pid}`),
    /** Tasks run at once on this worker at most; fewer while the machine is short of CPU or memory. */
    CLAUDINE_WORKER_CAPACITY: envInt(1, 256).default(2),
    /** This worker's labels, comma-separated (e.g. gpu,repo:web): tasks that require labels run only where all are. */
    CLAUDINE_WORKER_LABELS: EnvList.pipe(z.array(WorkerLabelSchema)).default([]),
    /** CPU cores kept free for everything else on the machine: no agent starts into them. */
    CLAUDINE_CPU_RESERVE: EnvNumber(0, 1024).default(0.5),
    /** Memory kept free (bytes, or 512M, 1G; powers of 1024): no agent starts into it. */
    CLAUDINE_MEMORY_RESERVE: EnvByteSize.default(1024 ** 3),
    /** The estimated CPU cores one agent uses, to count how many more fit. */
    CLAUDINE_AGENT_CPU: EnvNumber(0, 1024).default(0.5),
    /** The estimated memory one agent uses (bytes, or 512M, 1G). */
    CLAUDINE_AGENT_MEMORY: EnvByteSize.default(512 * 1024 ** 2),
    /** The least gap between two agent starts on this worker: no burst of starts. */
    CLAUDINE_SPAWN_INTERVAL_MS: envInt(0, 600_000).default(1_000),
    /** On SIGTERM, how long running tasks may go on before they are stopped and handed back. */
    CLAUDINE_DRAIN_TIMEOUT_MS: envInt(0, 86_400_000).default(60_000),
    /**
     * Local repositories must lie under one of these absolute paths, comma-separated (symlinks
     * resolved). Empty: any path the worker can read.
     */
    CLAUDINE_REPOSITORY_ROOTS: EnvList.pipe(
      z.array(z.string().refine((p) => path.isAbsolute(p), 'must be absolute paths')),
    ).default([]),
    /** URL schemes a repository may use, comma-separated (ssh covers user@host:path). */
    CLAUDINE_REPOSITORY_URL_SCHEMES: EnvList.pipe(z.array(z.enum(REPOSITORY_URL_SCHEMES))).default([
      ...REPOSITORY_URL_SCHEMES,
    ]),
    /** Worktrees, mirrors and per-task agent directories. */
    CLAUDINE_DATA_DIR: z.string().default(path.join(os.homedir(), '.claudine', 'worker')),
    /** The agent executable and leading arguments, separated by spaces. Default: the pinned Claude Code. */
    CLAUDINE_AGENT_COMMAND: z.string().optional(),
    /** Permission mode when a task gives none. acceptEdits works as root; bypassPermissions needs CLAUDINE_AGENT_SANDBOXED there. */
    CLAUDINE_AGENT_PERMISSION_MODE: PermissionModeSchema.default('acceptEdits'),
    /**
     * Permission modes a task may ask for, comma-separated. Default: all but bypassPermissions,
     * which is allowed only with CLAUDINE_AGENT_SANDBOXED=true (the agent could do anything).
     */
    CLAUDINE_AGENT_PERMISSION_MODES: EnvList.pipe(z.array(PermissionModeSchema).min(1)).optional(),
    /** Allowed tool rules when a task gives none, comma-separated, e.g. "Bash(npm test),Bash(git diff *)". */
    CLAUDINE_AGENT_ALLOWED_TOOLS: EnvList.default([]),
    /** Extra environment variables (names, or prefixes ending in *) passed to agents. */
    CLAUDINE_AGENT_ENV_ALLOW: EnvList.default([]),
    /** The worker runs inside a sandbox: sets IS_SANDBOX=1 so bypassPermissions works as root. */
    CLAUDINE_AGENT_SANDBOXED: EnvBoolean.default(false),
    /** A Claude Code .credentials.json copied into each agent's config dir. Default: ~/.claude/.credentials.json when present. */
    CLAUDINE_AGENT_CREDENTIALS_FILE: z.string().optional(),
    /** Grace between SIGTERM and SIGKILL when an agent is stopped. */
    CLAUDINE_KILL_GRACE_MS: envInt(0, 600_000).default(5_000),
    /** The same grace when a task is cancelled: short, so a cancel takes effect within a second. */
    CLAUDINE_CANCEL_GRACE_MS: envInt(0, 600_000).default(500),
    /** How often the worker writes its heartbeat, re-evaluates its capacity and checks it still holds its tasks. */
    CLAUDINE_HEARTBEAT_INTERVAL_MS: envInt(100, 60_000).default(1_000),
    /** A worker with no heartbeat for this long is dead (its registry entry lapses). */
    CLAUDINE_WORKER_DEAD_AFTER_MS: envInt(300, 600_000).default(5_000),
    /**
     * How long a worker's hold on a task lasts without renewal (renewed every half of it). A dead
     * worker's tasks run again elsewhere after about this plus one or two stalled-check intervals.
     * A worker cut off from Redis for longer than this stops its agents itself (self-fencing).
     */
    CLAUDINE_LOCK_DURATION_MS: envInt(1_000, 600_000).default(6_000),
    /** How often workers look for tasks whose holder stopped renewing its lock. */
    CLAUDINE_STALLED_INTERVAL_MS: envInt(500, 600_000).default(2_000),
    /** A task whose worker dies more than this many times is failed (WORKER_LOST) rather than run again. */
    CLAUDINE_MAX_STALLED_COUNT: envInt(0, 100).default(2),
    /**
     * Setup commands run in each new worktree before the agent, as a JSON object from repository
     * (absolute path or URL, as tasks name it; `*` for any other) to a shell command, e.g.
     * {"/srv/repos/web":"npm ci && cp /srv/env/web.env .env"}.
     */
    CLAUDINE_SETUP_COMMANDS: z
      .string()
      .default('{}')
      .transform((text, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: `is not JSON: ${(error as Error).message}` });
          return z.NEVER;
        }
      })
      .pipe(
        z.record(
          z.string().min(1, 'repository keys must not be empty'),
          z.string().trim().min(1, 'commands must not be empty'),
        ),
      ),
    /** How long a setup command may run before the task fails with SETUP_FAILED. */
    CLAUDINE_SETUP_TIMEOUT_MS: envInt(1_000, 86_400_000).default(10 * 60_000),
    /** The GitHub CLI for merge strategy `pr`, with leading arguments, separated by spaces. */
    CLAUDINE_GH_COMMAND: z.string().trim().min(1).default('gh'),
    /** Patches up to this size are kept in Redis for download through the API (GetPatch). */
    CLAUDINE_PATCH_MAX_BYTES: envInt(0, 512 * 1024 * 1024).default(10 * 1024 * 1024),
    CLAUDINE_GIT_AUTHOR_NAME: z.string().min(1).default('Claudine'),
    CLAUDINE_GIT_AUTHOR_EMAIL: z.string().min(3).default('claudine@localhost'),
    /** Prometheus /metrics, /healthz and /readyz. Port 0 picks a free port. */
    CLAUDINE_METRICS_HOST: z.string().default('127.0.0.1'),
    CLAUDINE_METRICS_PORT: envInt(0, 65_535).default(0),
    /** When set, /metrics answers only requests with `Authorization: Bearer <this>` (/healthz and /readyz stay open). */
    CLAUDINE_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Byte budget of each task's event log; past it the oldest events are dropped. Same value on every service. */
    CLAUDINE_TASK_LOG_MAX_BYTES: envInt(4096, 1024 * 1024 * 1024).default(10 * 1024 * 1024),
    /**
     * Kept worktrees (tasks with worktreeCleanup keep, failed or cancelled ones) are removed once
     * this old, counted from their last change (a duration: 12h, 7d; 0: no age limit).
     */
    CLAUDINE_WORKTREE_MAX_AGE: EnvDuration.default(7 * 86_400_000),
    /** At most this many worktrees (in use ones included) stay on the worker: the oldest idle ones go first. 0: no limit. */
    CLAUDINE_WORKTREE_MAX_COUNT: envInt(0, 1_000_000).default(50),
    /** Disk budget of the worker's worktrees (bytes, or 500M, 10G, 1T; powers of 1024). 0: no limit. */
    CLAUDINE_WORKTREE_MAX_BYTES: EnvByteSize.default(10 * 1024 ** 3),
    /** How often the worker collects its kept worktrees (and once at start). 0: only on request. */
    CLAUDINE_WORKTREE_GC_INTERVAL_MS: envInt(0, 7 * 86_400_000)
      .refine((ms) => ms === 0 || ms >= 1_000, 'must be 0 (off) or at least 1000')
      .default(10 * 60_000),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  })
  .superRefine((env, ctx) => {
    if (env.CLAUDINE_WORKER_DEAD_AFTER_MS <= env.CLAUDINE_HEARTBEAT_INTERVAL_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['CLAUDINE_WORKER_DEAD_AFTER_MS'],
        message: `must be longer than CLAUDINE_HEARTBEAT_INTERVAL_MS (${env.CLAUDINE_HEARTBEAT_INTERVAL_MS})`,
      });
    }
    // A worker that has not reached Redis for a lock duration stops its agents (self-fencing): a
    // heartbeat must fit in it at least twice, or a healthy worker would fence itself.
    if (env.CLAUDINE_LOCK_DURATION_MS < 2 * env.CLAUDINE_HEARTBEAT_INTERVAL_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['CLAUDINE_LOCK_DURATION_MS'],
        message: `must be at least twice CLAUDINE_HEARTBEAT_INTERVAL_MS (${env.CLAUDINE_HEARTBEAT_INTERVAL_MS})`,
      });
    }
    const allowed = env.CLAUDINE_AGENT_PERMISSION_MODES;
    if (allowed && !allowed.includes(env.CLAUDINE_AGENT_PERMISSION_MODE)) {
      ctx.addIssue({
        code: 'custom',
        path: ['CLAUDINE_AGENT_PERMISSION_MODE'],
        message: `must be one of CLAUDINE_AGENT_PERMISSION_MODES (${allowed.join(', ')})`,
      });
    }
  })
  .transform((env) => {
    const credentials = path.join(os.homedir(), '.claude', '.credentials.json');
    return {
      redisUrl: redisUrlFromEnv(env),
      keyPrefix: env.CLAUDINE_KEY_PREFIX,
      workerId: env.CLAUDINE_WORKER_ID,
      capacity: env.CLAUDINE_WORKER_CAPACITY,
      labels: normalizeLabels(env.CLAUDINE_WORKER_LABELS),
      resources: {
        cpuReserve: env.CLAUDINE_CPU_RESERVE,
        memoryReserveBytes: env.CLAUDINE_MEMORY_RESERVE,
        agentCpu: env.CLAUDINE_AGENT_CPU,
        agentMemoryBytes: env.CLAUDINE_AGENT_MEMORY,
        spawnIntervalMs: env.CLAUDINE_SPAWN_INTERVAL_MS,
      },
      drainTimeoutMs: env.CLAUDINE_DRAIN_TIMEOUT_MS,
      dataDir: path.resolve(env.CLAUDINE_DATA_DIR),
      repositoryRoots: env.CLAUDINE_REPOSITORY_ROOTS,
      repositoryUrlSchemes: env.CLAUDINE_REPOSITORY_URL_SCHEMES,
      agent: {
        command: (env.CLAUDINE_AGENT_COMMAND ?? defaultAgentCommand())
          .split(' ')
          .filter((part) => part !== ''),
        permissionMode: env.CLAUDINE_AGENT_PERMISSION_MODE,
        allowedPermissionModes:
          env.CLAUDINE_AGENT_PERMISSION_MODES ??
          PERMISSION_MODES.filter((mode) => mode !== 'bypassPermissions' || env.CLAUDINE_AGENT_SANDBOXED),
        allowedTools: env.CLAUDINE_AGENT_ALLOWED_TOOLS,
        envAllowlist: [...DEFAULT_AGENT_ENV_ALLOWLIST, ...env.CLAUDINE_AGENT_ENV_ALLOW],
        sandboxed: env.CLAUDINE_AGENT_SANDBOXED,
        credentialsFile:
          env.CLAUDINE_AGENT_CREDENTIALS_FILE ?? (existsSync(credentials) ? credentials : undefined),
        killGraceMs: env.CLAUDINE_KILL_GRACE_MS,
        cancelGraceMs: env.CLAUDINE_CANCEL_GRACE_MS,
      },
      heartbeatIntervalMs: env.CLAUDINE_HEARTBEAT_INTERVAL_MS,
      deadAfterMs: env.CLAUDINE_WORKER_DEAD_AFTER_MS,
      locks: {
        lockDuration: env.CLAUDINE_LOCK_DURATION_MS,
        stalledInterval: env.CLAUDINE_STALLED_INTERVAL_MS,
        maxStalledCount: env.CLAUDINE_MAX_STALLED_COUNT,
      },
      gitAuthor: { name: env.CLAUDINE_GIT_AUTHOR_NAME, email: env.CLAUDINE_GIT_AUTHOR_EMAIL },
      setup: { commands: env.CLAUDINE_SETUP_COMMANDS, timeoutMs: env.CLAUDINE_SETUP_TIMEOUT_MS },
      ghCommand: env.CLAUDINE_GH_COMMAND.split(' ').filter((part) => part !== ''),
      patchMaxBytes: env.CLAUDINE_PATCH_MAX_BYTES,
      metrics: {
        host: env.CLAUDINE_METRICS_HOST,
        port: env.CLAUDINE_METRICS_PORT,
        token: env.CLAUDINE_METRICS_TOKEN,
      },
      taskLogMaxBytes: env.CLAUDINE_TASK_LOG_MAX_BYTES,
      worktreeGc: {
        intervalMs: env.CLAUDINE_WORKTREE_GC_INTERVAL_MS,
        limits: {
          maxAgeMs: env.CLAUDINE_WORKTREE_MAX_AGE,
          maxCount: env.CLAUDINE_WORKTREE_MAX_COUNT,
          maxTotalBytes: env.CLAUDINE_WORKTREE_MAX_BYTES,
        },
      },
      logLevel: env.LOG_LEVEL,
    };
  });

export type WorkerConfig = z.output<typeof ConfigSchema>;

/** @throws AppError CONFIG_INVALID naming every bad variable */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return parseEnv(ConfigSchema, env);
}
