import os from 'node:os';
import { z } from 'zod';
import { EnvBoolean, EnvList, envInt, parseEnv, RedisEnvShape, redisUrlFromEnv, REPOSITORY_URL_SCHEMES } from '@claudine/core';
import { LOG_LEVELS } from '@claudine/observability';

/** The address `claudine up` serves and every CLI command tries first. */
export const DEFAULT_GRPC_PORT = 50551;

/** Every variable the coordinator reads, validated once at start. */
export const ConfigSchema = z
  .object({
    /** Redis, shared by the whole cluster: REDIS_URL, or REDIS_SENTINELS + REDIS_SENTINEL_MASTER, or REDIS_CLUSTER_NODES. */
    ...RedisEnvShape,
    /** Key prefix; keep the braces (a Redis Cluster hash tag). */
    CLAUDINE_KEY_PREFIX: z.string().min(1).default('{claudine}'),
    /** gRPC listen address. */
    CLAUDINE_GRPC_HOST: z.string().default('127.0.0.1'),
    CLAUDINE_GRPC_PORT: envInt(0, 65_535).default(DEFAULT_GRPC_PORT),
    /** /healthz, /readyz and /metrics. Port 0 picks a free port. */
    CLAUDINE_METRICS_HOST: z.string().default('127.0.0.1'),
    CLAUDINE_METRICS_PORT: envInt(0, 65_535).default(0),
    /** MCP over Streamable HTTP (`/mcp`): its listen address. */
    CLAUDINE_MCP_HOST: z.string().default('127.0.0.1'),
    /** Its port; unset: no MCP endpoint; 0 picks a free port. */
    CLAUDINE_MCP_PORT: envInt(0, 65_535).optional(),
    /**
     * Host names /mcp answers to (DNS-rebinding protection: the Host header, and an Origin header
     * when there is one), comma-separated, without ports. The loopback names are added when bound
     * to a loopback address; empty and bound elsewhere: no check.
     */
    CLAUDINE_MCP_ALLOWED_HOSTS: EnvList.pipe(
      z.array(z.string().regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be host names without ports or schemes')),
    ).default([]),
    /** The largest request body /mcp reads; a larger one gets 413. */
    CLAUDINE_MCP_MAX_BODY_BYTES: envInt(65_536, 64 * 1024 * 1024).default(1024 * 1024),
    /** WaitForTask's progress notifications (when the client asks for them) come at least this often. */
    CLAUDINE_MCP_PROGRESS_MS: envInt(100, 600_000).default(15_000),
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
    /** This coordinator's id: the value of the lease key while it holds it. Default: host-pid. */
    CLAUDINE_COORDINATOR_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, ".", "_" and "-" only')
      .default(`${os.hostname()}-${process.pid}`),
    /**
     * The coordinator lease (the once-only duties: retention, the blocked-task recheck, schedule
     * reconcile, affinity fallback) outlives its holder's last renewal by this; renewed every ttl/3.
     * A dead holder's duties pass to another coordinator within ttl + ttl/3.
     */
    CLAUDINE_LEASE_TTL_MS: envInt(300, 600_000).default(6_000),
    /**
     * How long a task with `affinity` waits in its preferred worker's queue before any worker
     * with its labels may take it (the lease holder moves it then).
     */
    CLAUDINE_AFFINITY_WAIT_MS: envInt(0, 86_400_000).default(30_000),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    /** gRPC TLS: the server's certificate chain and key (PEM files); both or neither. */
    CLAUDINE_TLS_CERT_FILE: z.string().optional(),
    CLAUDINE_TLS_KEY_FILE: z.string().optional(),
    /** With TLS: clients must present a certificate signed by this CA (PEM file). */
    CLAUDINE_TLS_CLIENT_CA_FILE: z.string().optional(),
    /** API tokens, as a JSON file: [{"name","tenant","token_sha256" or "token","admin"}]. Any token configured makes tokens required. */
    CLAUDINE_API_TOKENS_FILE: z.string().optional(),
    /** API tokens, inline JSON of the same shape (added to the file's). */
    CLAUDINE_API_TOKENS: z.string().optional(),
    /** The audit stream ({p}:audit) is trimmed to about this many entries. */
    CLAUDINE_AUDIT_MAX_ENTRIES: envInt(1_000, 100_000_000).default(100_000),
  })
  .superRefine((env, context) => {
    if ((env.CLAUDINE_TLS_CERT_FILE === undefined) !== (env.CLAUDINE_TLS_KEY_FILE === undefined))
      context.addIssue({
        code: 'custom',
        path: [env.CLAUDINE_TLS_CERT_FILE === undefined ? 'CLAUDINE_TLS_CERT_FILE' : 'CLAUDINE_TLS_KEY_FILE'],
        message: 'TLS needs both CLAUDINE_TLS_CERT_FILE and CLAUDINE_TLS_KEY_FILE',
      });
    if (env.CLAUDINE_TLS_CLIENT_CA_FILE !== undefined && env.CLAUDINE_TLS_CERT_FILE === undefined)
      context.addIssue({
        code: 'custom',
        path: ['CLAUDINE_TLS_CLIENT_CA_FILE'],
        message: 'client certificates need TLS: set CLAUDINE_TLS_CERT_FILE and CLAUDINE_TLS_KEY_FILE too',
      });
  })
  .transform((env) => ({
    redisUrl: redisUrlFromEnv(env),
    keyPrefix: env.CLAUDINE_KEY_PREFIX,
    grpc: { host: env.CLAUDINE_GRPC_HOST, port: env.CLAUDINE_GRPC_PORT },
    metrics: { host: env.CLAUDINE_METRICS_HOST, port: env.CLAUDINE_METRICS_PORT },
    mcp:
      env.CLAUDINE_MCP_PORT === undefined
        ? undefined
        : {
            host: env.CLAUDINE_MCP_HOST,
            port: env.CLAUDINE_MCP_PORT,
            allowedHosts: env.CLAUDINE_MCP_ALLOWED_HOSTS,
            maxBodyBytes: env.CLAUDINE_MCP_MAX_BODY_BYTES,
            progressIntervalMs: env.CLAUDINE_MCP_PROGRESS_MS,
          },
    verifyRepositories: env.CLAUDINE_VERIFY_REPOSITORIES,
    repositoryRoots: env.CLAUDINE_REPOSITORY_ROOTS,
    repositoryUrlSchemes: env.CLAUDINE_REPOSITORY_URL_SCHEMES,
    retentionMs: env.CLAUDINE_TASK_RETENTION_MS,
    dependencyRecheckMs: env.CLAUDINE_DEPENDENCY_RECHECK_MS,
    scheduleMissGraceMs: env.CLAUDINE_SCHEDULE_MISS_GRACE_MS,
    scheduleReconcileMs: env.CLAUDINE_SCHEDULE_RECONCILE_MS,
    coordinatorId: env.CLAUDINE_COORDINATOR_ID,
    leaseTtlMs: env.CLAUDINE_LEASE_TTL_MS,
    affinityWaitMs: env.CLAUDINE_AFFINITY_WAIT_MS,
    worktreeGcTimeoutMs: env.CLAUDINE_WORKTREE_GC_TIMEOUT_MS,
    taskLogMaxBytes: env.CLAUDINE_TASK_LOG_MAX_BYTES,
    logLevel: env.LOG_LEVEL,
    tls:
      env.CLAUDINE_TLS_CERT_FILE !== undefined && env.CLAUDINE_TLS_KEY_FILE !== undefined
        ? {
            certFile: env.CLAUDINE_TLS_CERT_FILE,
            keyFile: env.CLAUDINE_TLS_KEY_FILE,
            clientCaFile: env.CLAUDINE_TLS_CLIENT_CA_FILE,
          }
        : undefined,
    apiTokens: { file: env.CLAUDINE_API_TOKENS_FILE, inline: env.CLAUDINE_API_TOKENS },
    auditMaxEntries: env.CLAUDINE_AUDIT_MAX_ENTRIES,
  }));

export type CoordinatorConfig = z.output<typeof ConfigSchema>;

/** @throws AppError CONFIG_INVALID naming every bad variable */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): CoordinatorConfig {
  return parseEnv(ConfigSchema, env);
}
