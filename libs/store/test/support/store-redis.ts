import { startRedis, type RedisHarness } from '@claudine/testing';
import type { Redis } from 'ioredis';
import { closeRedis, createRedisConnection } from '../../src/connection';
import { createKeyspace, type Keyspace } from '../../src/keyspace';

/** The Redis of one test file and the consumer connection the stores use. */
export interface StoreRedis {
  harness: RedisHarness;
  redis: Redis;
}

/**
 * Starts a Redis and opens a consumer connection to it before the file's tests (beforeAll),
 * closes both after them (afterAll). Read the fields in hooks and tests, not at declaration.
 */
export function useStoreRedis(): StoreRedis {
  const db = {} as StoreRedis;
  beforeAll(async () => {
    db.harness = await startRedis();
    db.redis = createRedisConnection({ url: db.harness.url, role: 'consumer' });
  });
  afterAll(async () => {
    await closeRedis(db.redis);
    await db.harness.stop();
  });
  return db;
}

/** A keyspace no other test uses: the harness's prefix and a random suffix. */
export function freshKeyspace(db: StoreRedis): Keyspace {
  return createKeyspace(`${db.harness.keyPrefix}-${Math.random().toString(16).slice(2, 8)}`);
}
