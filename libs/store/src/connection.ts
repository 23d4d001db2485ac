import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { AppError, parseRedisUrl } from '@claudine/core';

/**
 * How a connection is used decides how it behaves when Redis is away:
 * - `producer`: API handlers. Fail fast (no offline queue, one retry) so a request is refused, not hung.
 * - `consumer`: BullMQ workers, blocking reads and subscribers. Wait for Redis indefinitely.
 */
export type ConnectionRole = 'producer' | 'consumer';

export interface RedisConnectionOptions {
  url: string;
  role: ConnectionRole;
  /** Shown in CLIENT LIST, to tell connections apart when debugging. */
  name?: string;
}

/**
 * A connection to the Redis that `url` names: `redis://` / `rediss://` (one server),
 * `redis-sentinel://[user:pass@]h1:p1,h2:p2/<master>` (the master Sentinel names, followed across
 * failovers) or `redis-cluster://[user:pass@]h1:p1,h2:p2` (see parseRedisUrl in @claudine/core).
 * @throws AppError CONFIG_INVALID for a url of none of these forms
 */
export function createRedisConnection({ url, role, name }: RedisConnectionOptions): Redis {
  const common: RedisOptions = {
    connectionName: name,
    lazyConnect: false,
    retryStrategy: (times) => Math.min(times * 100, 2000),
  };
  const options: RedisOptions =
    role === 'producer'
      ? { ...common, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5000 }
      : { ...common, maxRetriesPerRequest: null, enableOfflineQueue: true };
  const target = parseRedisUrl(url);
  switch (target.kind) {
    case 'standalone':
      return new Redis(url, options);
    case 'sentinel':
      return new Redis({
        ...options,
        sentinels: target.sentinels,
        name: target.masterName,
        username: target.username,
        password: target.password,
        // The sentinels are asked again on every reconnect, so a failover is followed.
        sentinelRetryStrategy: (times) => Math.min(times * 100, 2000),
      });
    case 'cluster': {
      const clusterOptions: ClusterOptions = {
        redisOptions: { ...options, username: target.username, password: target.password },
        enableOfflineQueue: options.enableOfflineQueue,
        clusterRetryStrategy: (times) => Math.min(times * 100, 2000),
        // A producer refuses a command at once while the cluster is away, as a plain connection does.
        enableReadyCheck: true,
      };
      // Typed as Redis: Claudine uses only commands both share (every multi-key command and script
      // stays in the prefix's {hash tag} slot, so one node serves it), and BullMQ takes a Cluster
      // wherever it takes a Redis. The one difference callers meet: Cluster.duplicate() takes
      // (nodes, options), so code that needs other options opens a connection here instead.
      return new Cluster(target.nodes, clusterOptions) as unknown as Redis;
    }
  }
}

/** True for a connection made from a `redis-cluster://` url. */
export function isClusterConnection(redis: Redis): boolean {
  return (redis as unknown as { isCluster?: boolean }).isCluster === true;
}

/**
 * Refuses a Redis that may evict keys: BullMQ's locks and Claudine's records are keys, and an
 * evicted one loses a task. Reads `maxmemory_policy` from INFO memory (CONFIG GET may be denied to
 * an ACL user); on a Cluster, from every master.
 * @throws AppError REDIS_MISCONFIGURED naming the policy found and the fix
 */
export async function assertNoEviction(redis: Redis): Promise<void> {
  const nodes = isClusterConnection(redis) ? (redis as unknown as Cluster).nodes('master') : [redis];
  for (const node of nodes) {
    const info = await node.info('memory');
    const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
    // A server that does not report the field (not Redis, or a proxy) is let through: nothing to judge by.
    if (policy === undefined || policy === 'noeviction') continue;
    const where = isClusterConnection(redis) ? ` on ${node.options.host}:${node.options.port}` : '';
    throw new AppError(
      'REDIS_MISCONFIGURED',
      `Redis maxmemory-policy is ${policy}${where}: Claudine needs noeviction, or Redis may evict queued tasks and BullMQ's locks under memory pressure. ` +
        'Fix: set "maxmemory-policy noeviction" in redis.conf (or run CONFIG SET maxmemory-policy noeviction, then CONFIG REWRITE).',
      { details: { policy } },
    );
  }
}

/** Resolves when the connection is ready, or rejects after `timeoutMs` with the reason. */
export async function waitForRedis(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    let lastError: Error | undefined;
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${timeoutMs} ms${lastError ? `: ${lastError.message}` : ''}`));
    }, timeoutMs);
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const onError = (error: Error): void => {
      lastError = error;
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
    };
    redis.on('ready', onReady);
    redis.on('error', onError);
  });
}

/** Closes a connection, tolerating one that already closed. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
