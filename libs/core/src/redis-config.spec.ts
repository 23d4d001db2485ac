import { z } from 'zod';
import { parseEnv } from './env';
import { DEFAULT_REDIS_URL, parseRedisUrl, RedisEnvShape, redisUrlFromEnv } from './redis-config';

const Schema = z.object({ ...RedisEnvShape }).transform((env) => redisUrlFromEnv(env));
const load = (env: Record<string, string>): string => parseEnv(Schema, env);

describe('Redis configuration', () => {
  it('defaults to a local Redis, and keeps a plain REDIS_URL', () => {
    expect(load({})).toBe(DEFAULT_REDIS_URL);
    expect(load({ REDIS_URL: 'rediss://u:p@redis.internal:6380/2' })).toBe(
      'rediss://u:p@redis.internal:6380/2',
    );
  });

  it('folds sentinels and cluster nodes into one url, with the credentials percent-encoded', () => {
    expect(
      load({
        REDIS_SENTINELS: '10.0.0.1:26379, 10.0.0.2:26379',
        REDIS_SENTINEL_MASTER: 'mymaster',
        REDIS_USERNAME: 'claudine',
        REDIS_PASSWORD: 'p@ss:word',
      }),
    ).toBe('redis-sentinel://claudine:p%40ss%3Aword@10.0.0.1:26379,10.0.0.2:26379/mymaster');
    expect(load({ REDIS_CLUSTER_NODES: 'a:7000,[::1]:7001', REDIS_PASSWORD: 'x' })).toBe(
      'redis-cluster://:x@a:7000,[::1]:7001',
    );
    // The password fills in a URL without credentials; the URL's own win.
    expect(load({ REDIS_URL: 'redis://h:1', REDIS_PASSWORD: 'x' })).toBe('redis://:x@h:1');
    expect(load({ REDIS_URL: 'redis://u:own@h:1', REDIS_PASSWORD: 'x' })).toBe('redis://u:own@h:1');
  });

  it.each([
    [
      { REDIS_URL: 'redis://h:1', REDIS_CLUSTER_NODES: 'h:2' },
      /REDIS_CLUSTER_NODES: set only one of REDIS_URL, REDIS_CLUSTER_NODES/,
    ],
    [{ REDIS_SENTINELS: 'h:26379' }, /REDIS_SENTINEL_MASTER: required with REDIS_SENTINELS/],
    [{ REDIS_SENTINEL_MASTER: 'm' }, /REDIS_SENTINEL_MASTER: needs REDIS_SENTINELS/],
    [{ REDIS_CLUSTER_NODES: 'h:70000' }, /REDIS_CLUSTER_NODES: "h:70000" is not host:port/],
    [{ REDIS_SENTINELS: 'nohost' }, /REDIS_SENTINELS: "nohost" is not host:port/],
    [{ REDIS_URL: 'http://h:1' }, /REDIS_URL: must be redis:/],
  ])('refuses %p, naming the variable', (env, message) => {
    expect(() => load(env)).toThrow(message);
  });

  it('parses each form back', () => {
    expect(parseRedisUrl('redis://h:1')).toEqual({ kind: 'standalone', url: 'redis://h:1' });
    expect(parseRedisUrl('redis-sentinel://u:p%40@h1:1,h2:2/m')).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 'h1', port: 1 },
        { host: 'h2', port: 2 },
      ],
      masterName: 'm',
      username: 'u',
      password: 'p@',
    });
    expect(parseRedisUrl('redis-cluster://:s@h1:1')).toEqual({
      kind: 'cluster',
      nodes: [{ host: 'h1', port: 1 }],
      password: 's',
    });
    expect(() => parseRedisUrl('redis-sentinel://h1:1')).toThrow(/needs \/<masterName>/);
    expect(() => parseRedisUrl('redis-cluster://h1:1/0')).toThrow(/takes no path/);
  });
});
