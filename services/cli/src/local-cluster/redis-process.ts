import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { AppError } from '@claudine/core';

export interface LocalRedis {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * A `redis-server` child for a local cluster: data and AOF under the state directory (so tasks
 * survive a restart of `claudine up`), `noeviction` (BullMQ's locks must never be evicted).
 * @throws AppError UNAVAILABLE naming the fix when redis-server is not installed
 */
export async function startLocalRedis(stateDir: string): Promise<LocalRedis> {
  if (!hasRedisServer()) {
    throw new AppError(
      'UNAVAILABLE',
      'no Redis: set REDIS_URL (or --redis-url) to a Redis 7 server, or install redis-server (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis)',
    );
  }
  const dir = path.join(stateDir, 'redis');
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      // Every acknowledged write is on disk: a crash of Redis loses no task (see the durability tests).
      '--appendfsync',
      'always',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      '--logfile',
      path.join(dir, 'redis.log'),
    ],
    // Detached, so a Ctrl-C meant for `up` does not stop Redis under the services still shutting down.
    { stdio: 'ignore', detached: true },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(port, 10_000, exited);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitForPort(port: number, timeoutMs: number, exited: Promise<void>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void exited.then(() => (dead = true));
  while (Date.now() < deadline) {
    if (dead)
      throw new AppError(
        'UNAVAILABLE',
        'redis-server exited at start; see its log under the state directory',
      );
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.write('PING\r\n');
      });
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new AppError('UNAVAILABLE', `redis-server did not answer on port ${port} within ${timeoutMs} ms`);
}

export { freePort };
