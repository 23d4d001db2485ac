import { z } from 'zod';
import { EnvBoolean, EnvList, envInt, parseEnv, REPOSITORY_URL_SCHEMES } from '@claudine/core';
import { LOG_LEVELS } from '@claudine/observability';

/** The address `claudine up` serves and every CLI command tries first. */
export const DEFAULT_GRPC_PORT = 50551;

/** Every variable the coordinator reads, validated once at start. */
export const ConfigSchema = z
  .object({
    /** Redis, shared by the whole cluster. */
    REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
    /** Key prefix; keep the braces (a Redis Cluster hash tag). */
    CLAUDINE_KEY_PREFIX: z.string().min(1).default('{claudine}'),
    /** gRPC listen address. */
    CLAUDINE_GRPC_HOST: z.string().default('127.0.0.1'),
    CLAUDINE_GRPC_PORT: envInt(0, 65_535).default(DEFAULT_GRPC_PORT),
    /** /healthz, /readyz and /metrics. Port 0 picks a free port. */
    CLAUDINE_METRICS_HOST: z.string().default('127.0.0.1'),
    CLAUDINE_METRICS_PORT: envInt(0, 65_535).default(0),
    /**
     * Check local repository paths and base refs at delegation. Needs the coordinator to see the
     * same paths as the workers (one machine, or a shared mount); turn off otherwise, and the
     * workers fail such tasks before any agent starts.
     */
    CLAUDINE_VERIFY_REPOSITORIES: EnvBoolean.default(true),
    /** Local repositories must lie under one of these absolute paths (comma-separated); empty: anywhere. */
    CLAUDINE_REPOSITORY_ROOTS: EnvList.pipe(
      z.array(z.string().refine((p) => p.startsWith('/'), 'must be absolute paths')),
    ).default([]),
    /** URL schemes a repository may use, comma-separated (ssh covers user@host:path). */
    CLAUDINE_REPOSITORY_URL_SCHEMES: EnvList.pipe(z.array(z.enum(REPOSITORY_URL_SCHEMES))).default([
      ...REPOSITORY_URL_SCHEMES,
    ]),
    /** Byte budget of each task's event log; past it the oldest events are dropped. Same value on every service. */
    CLAUDINE_TASK_LOG_MAX_BYTES: envInt(4096, 1024 * 1024 * 1024).default(10 * 1024 * 1024),
    /** Finished tasks, with their logs, are removed this long after they ended. Default 7 days. */
    CLAUDINE_TASK_RETENTION_MS: envInt(60_000, 10 * 365 * 86_400_000).default(7 * 86_400_000),
    /** How long CollectWorktrees waits for the workers' answers; a worker later than this is reported as not answering. */
    CLAUDINE_WORKTREE_GC_TIMEOUT_MS: envInt(100, 120_000).default(10_000),
    /** How often every blocked task is checked for a dependency that ended unnoticed. */
    CLAUDINE_DEPENDENCY_RECHECK_MS: envInt(1_000, 3_600_000).default(30_000),
    /** A schedule's fire handled later than this after its time counts as missed (its missed-run policy applies). */
    CLAUDINE_SCHEDULE_MISS_GRACE_MS: envInt(100, 86_400_000).default(60_000),
    /** How often active schedules are checked for a lost fire job. */
    CLAUDINE_SCHEDULE_RECONCILE_MS: envInt(1_000, 3_600_000).default(30_000),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  })
  .transform((env) => ({
    redisUrl: env.REDIS_URL,
    keyPrefix: env.CLAUDINE_KEY_PREFIX,
    grpc: { host: env.CLAUDINE_GRPC_HOST, port: env.CLAUDINE_GRPC_PORT },
    metrics: { host: env.CLAUDINE_METRICS_HOST, port: env.CLAUDINE_METRICS_PORT },
    verifyRepositories: env.CLAUDINE_VERIFY_REPOSITORIES,
    repositoryRoots: env.CLAUDINE_REPOSITORY_ROOTS,
    repositoryUrlSchemes: env.CLAUDINE_REPOSITORY_URL_SCHEMES,
    retentionMs: env.CLAUDINE_TASK_RETENTION_MS,
    dependencyRecheckMs: env.CLAUDINE_DEPENDENCY_RECHECK_MS,
    scheduleMissGraceMs: env.CLAUDINE_SCHEDULE_MISS_GRACE_MS,
    scheduleReconcileMs: env.CLAUDINE_SCHEDULE_RECONCILE_MS,
    worktreeGcTimeoutMs: env.CLAUDINE_WORKTREE_GC_TIMEOUT_MS,
    taskLogMaxBytes: env.CLAUDINE_TASK_LOG_MAX_BYTES,
    logLevel: env.LOG_LEVEL,
  }));

export type CoordinatorConfig = z.output<typeof ConfigSchema>;

/** @throws AppError CONFIG_INVALID naming every bad variable */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): CoordinatorConfig {
  return parseEnv(ConfigSchema, env);
}
