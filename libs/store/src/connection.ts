import { Redis, type RedisOptions } from 'ioredis';

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
  return new Redis(url, options);
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
