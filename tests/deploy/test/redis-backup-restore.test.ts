import { cp, copyFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { CoordinatorService, loadConfig as loadCoordinatorConfig } from '@claudine/coordinator';
import { createLogger } from '@claudine/observability';
import { ClusterClient } from '@claudine/proto';
import { createTempDir, waitFor, type TempDir } from '@claudine/testing';
import { composeEnvironment, loadCompose } from './support/deploy-files';
import { RedisServer } from './support/redis-server';

/**
 * docs/operations.md, "Backup and restore of Redis", step by step, on redis-server run with the
 * compose file's own arguments and a coordinator configured as in the compose file.
 */

const silent = createLogger({ name: 'deploy-test', level: 'silent' });

/** The compose file's Redis command, without the program name. */
function composeRedisArgs(): string[] {
  const command = loadCompose().services.redis!.command;
  const args = (Array.isArray(command) ? command : String(command).split(/\s+/)).map(String);
  expect(args[0]).toBe('redis-server');
  return args.slice(1);
}

/** The same arguments with one flag's value replaced. */
function withFlag(args: string[], flag: string, value: string): string[] {
  const index = args.indexOf(flag);
  return index === -1
    ? [...args, flag, value]
    : [...args.slice(0, index + 1), value, ...args.slice(index + 2)];
}

async function info(redis: Redis, field: string): Promise<string | undefined> {
  const text = await redis.info('persistence');
  return new RegExp(`^${field}:(.*)$`, 'm').exec(text)?.[1]?.trim();
}

describe('Redis backup and restore, as docs/operations.md describes them', () => {
  const dirs: TempDir[] = [];
  const servers: RedisServer[] = [];
  const connections: Redis[] = [];
  const clients: ClusterClient[] = [];
  const coordinators: CoordinatorService[] = [];

  const tempDir = async (): Promise<string> => {
    const dir = await createTempDir('claudine-backup-');
    dirs.push(dir);
    return dir.path;
  };
  const startRedis = async (dir: string, args: string[]): Promise<{ server: RedisServer; redis: Redis }> => {
    const server = await RedisServer.start(dir, args);
    servers.push(server);
    const redis = server.connect();
    connections.push(redis);
    return { server, redis };
  };
  /** A coordinator with the compose file's settings, on this Redis and free ports. */
  const startCoordinator = async (server: RedisServer): Promise<ClusterClient> => {
    const env = Object.fromEntries(
      [...composeEnvironment(loadCompose().services.coordinator!)].filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    );
    const coordinator = await CoordinatorService.create(
      loadCoordinatorConfig({
        ...env,
        REDIS_URL: server.url,
        CLAUDINE_GRPC_HOST: '127.0.0.1',
        CLAUDINE_GRPC_PORT: '0',
        CLAUDINE_METRICS_HOST: '127.0.0.1',
        CLAUDINE_METRICS_PORT: '0',
        // No /repos here: the tasks only have to exist, never to run.
        CLAUDINE_VERIFY_REPOSITORIES: 'false',
        LOG_LEVEL: 'silent',
      }),
      silent,
    );
    coordinators.push(coordinator);
    const client = ClusterClient.connect(coordinator.grpcAddress);
    clients.push(client);
    return client;
  };
  const stopCoordinators = async (): Promise<void> => {
    for (const client of clients.splice(0)) client.close();
    for (const coordinator of coordinators.splice(0)) await coordinator.close();
  };
  const closeConnections = async (): Promise<void> => {
    await Promise.all(connections.splice(0).map((redis) => redis.quit().catch(() => undefined)));
  };

  afterEach(async () => {
    await stopCoordinators();
    await closeConnections();
    for (const server of servers.splice(0)) await server.kill();
    for (const dir of dirs.splice(0)) await dir.remove();
  });

  it('restores the tasks from a BGSAVE snapshot and from an AOF copy, and loses what came after the backup', async () => {
    const args = composeRedisArgs();
    const live = await tempDir();
    const original = await startRedis(live, args);
    expect(await original.redis.config('GET', 'maxmemory-policy')).toEqual([
      'maxmemory-policy',
      'noeviction',
    ]);
    expect(await info(original.redis, 'aof_enabled')).toBe('1');

    let client = await startCoordinator(original.server);
    const before = await Promise.all(
      ['one', 'two', 'three'].map((name) =>
        client.delegate({ prompt: `task ${name}`, repository: '/repos/demo' }),
      ),
    );

    // Back up: BGSAVE (it forks before it replies, so "in progress" holds from here), wait for
    // it to end, copy dump.rdb; and a copy of the AOF directory.
    await original.redis.bgsave();
    await waitFor(async () => (await info(original.redis, 'rdb_bgsave_in_progress')) === '0', {
      timeoutMs: 10_000,
      description: 'the BGSAVE snapshot written',
    });
    expect(await info(original.redis, 'rdb_last_bgsave_status')).toBe('ok');
    const backup = await tempDir();
    await copyFile(path.join(live, 'dump.rdb'), path.join(backup, 'dump.rdb'));
    expect(await info(original.redis, 'aof_rewrite_in_progress')).toBe('0');
    await cp(path.join(live, 'appendonlydir'), path.join(backup, 'appendonlydir'), { recursive: true });

    const after = await client.delegate({ prompt: 'after the backup', repository: '/repos/demo' });

    // Restore: Claudine stopped first, then Redis.
    await stopCoordinators();
    await closeConnections();
    await original.server.shutdown();

    // The pitfall the steps avoid: with appendonly yes, a lone dump.rdb is not read.
    const naive = await tempDir();
    await copyFile(path.join(backup, 'dump.rdb'), path.join(naive, 'dump.rdb'));
    const ignored = await startRedis(naive, args);
    expect(await ignored.redis.dbsize()).toBe(0);
    await closeConnections();
    await ignored.server.shutdown();

    // From the RDB file: start once with appendonly no, turn the AOF on, wait for it, shut down,
    // then start as usual.
    const fromRdb = await tempDir();
    await copyFile(path.join(backup, 'dump.rdb'), path.join(fromRdb, 'dump.rdb'));
    const loading = await startRedis(fromRdb, withFlag(args, '--appendonly', 'no'));
    expect(await loading.redis.dbsize()).toBeGreaterThan(0);
    await loading.redis.config('SET', 'appendonly', 'yes');
    await waitFor(
      async () =>
        (await info(loading.redis, 'aof_enabled')) === '1' &&
        (await info(loading.redis, 'aof_rewrite_in_progress')) === '0' &&
        (await info(loading.redis, 'aof_rewrite_scheduled')) === '0',
      { timeoutMs: 10_000, description: 'the AOF written from the loaded snapshot' },
    );
    await closeConnections();
    await loading.server.shutdown();

    // From the AOF copy: put appendonlydir back and start as usual.
    const fromAof = await tempDir();
    await cp(path.join(backup, 'appendonlydir'), path.join(fromAof, 'appendonlydir'), { recursive: true });

    for (const dir of [fromRdb, fromAof]) {
      const restored = await startRedis(dir, args);
      expect(await info(restored.redis, 'aof_enabled')).toBe('1');
      expect(await info(restored.redis, 'loading')).toBe('0');
      client = await startCoordinator(restored.server);
      for (const task of before) {
        const found = await client.get(task.id);
        expect({ id: found.id, prompt: found.spec.prompt, state: found.state }).toEqual({
          id: task.id,
          prompt: task.spec.prompt,
          state: 'queued',
        });
      }
      await expect(client.get(after.id)).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
      await stopCoordinators();
      await closeConnections();
      await restored.server.shutdown();
    }
  });
});
