import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { findFreePort } from './free-port';
import { findExecutable, RedisProcess } from './redis-harness';
import { createTempDir, type TempDir } from './temp-dir';
import { waitFor } from './wait-for';

export interface RedisTopologyOptions {
  /** requirepass on every data node (and masterauth / sentinel auth-pass to match). */
  password?: string;
}

export interface RedisSentinelHarness {
  /** `redis-sentinel://[:password@]127.0.0.1:<sentinel>/<master>`: the form createRedisConnection takes. */
  url: string;
  sentinels: { host: string; port: number }[];
  masterName: string;
  /** The master itself, `redis://[:password@]127.0.0.1:<port>`, for checks behind Sentinel's back. */
  masterUrl: string;
  keyPrefix: string;
  stop(): Promise<void>;
}

export interface RedisClusterHarness {
  /** `redis-cluster://[:password@]127.0.0.1:<p1>,...`: the form createRedisConnection takes. */
  url: string;
  nodes: { host: string; port: number }[];
  keyPrefix: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;
const MAX_PORT_ATTEMPTS = 5;
const MASTER_NAME = 'claudine-master';

function newKeyPrefix(): string {
  return `{claudine-test-${randomBytes(4).toString('hex')}}`;
}

async function redisServerBinary(): Promise<string> {
  const binary = await findExecutable('redis-server');
  if (binary === undefined)
    throw new Error(
      'Sentinel and Cluster tests need redis-server on PATH (apt-get install redis-server): they start several servers of their own.',
    );
  return binary;
}

/** One server on a free port, retried when another process took the port first. */
async function startServer(
  binary: string,
  label: string,
  argsFor: (port: number, dir: TempDir) => Promise<string[]>,
  readyLine?: string,
): Promise<{ port: number; server: RedisProcess }> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    const dir = await createTempDir(`claudine-${label}-`);
    const server = new RedisProcess(binary, port, dir, await argsFor(port, dir), readyLine);
    const outcome = await server.ready(deadline);
    if (outcome === 'ready') return { port, server };
    await server.stop();
    const lostPortRace = outcome === 'exited' && server.output.includes('Address already in use');
    if (!lostPortRace || attempt >= MAX_PORT_ATTEMPTS || Date.now() >= deadline)
      throw new Error(`${label} on port ${port}: ${outcome}. Output:\n${server.output}`);
  }
}

function dataNodeArgs(
  port: number,
  dir: TempDir,
  password: string | undefined,
  extra: string[] = [],
): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir.path,
    '--maxmemory-policy',
    'noeviction',
    ...(password === undefined ? [] : ['--requirepass', password, '--masterauth', password]),
    ...extra,
  ];
}

function auth(password: string | undefined): string {
  return password === undefined ? '' : `:${encodeURIComponent(password)}@`;
}

async function stopAll(servers: RedisProcess[]): Promise<void> {
  await Promise.all(servers.map((server) => server.stop()));
}

/**
 * A master and one Sentinel watching it, each a redis-server child on loopback (Sentinel is
 * `redis-server <conf> --sentinel`). Resolves once the Sentinel names the master.
 */
export async function startRedisSentinel(options: RedisTopologyOptions = {}): Promise<RedisSentinelHarness> {
  const binary = await redisServerBinary();
  const servers: RedisProcess[] = [];
  try {
    const master = await startServer(binary, 'redis-master', (port, dir) =>
      Promise.resolve(dataNodeArgs(port, dir, options.password)),
    );
    servers.push(master.server);
    const sentinel = await startServer(
      binary,
      'redis-sentinel',
      async (port, dir) => {
        // Sentinel rewrites its config file: it lives in the server's own temporary directory.
        const conf = join(dir.path, 'sentinel.conf');
        await writeFile(
          conf,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${dir.path}`,
            `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master.port} 1`,
            `sentinel down-after-milliseconds ${MASTER_NAME} 5000`,
            ...(options.password === undefined
              ? []
              : [`sentinel auth-pass ${MASTER_NAME} ${options.password}`]),
            '',
          ].join('\n'),
        );
        return [conf, '--sentinel'];
      },
      'Sentinel ID is',
    );
    servers.push(sentinel.server);
    const probe = new Redis({
      host: '127.0.0.1',
      port: sentinel.port,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    });
    try {
      await probe.connect();
      await waitFor(
        async () => {
          const address = (await probe.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as
            string[] | null;
          return address?.[1] === String(master.port);
        },
        { description: 'the sentinel to name its master', timeoutMs: READY_TIMEOUT_MS },
      );
    } finally {
      probe.disconnect();
    }
    const sentinels = [{ host: '127.0.0.1', port: sentinel.port }];
    return {
      url: `redis-sentinel://${auth(options.password)}127.0.0.1:${sentinel.port}/${MASTER_NAME}`,
      sentinels,
      masterName: MASTER_NAME,
      masterUrl: `redis://${auth(options.password)}127.0.0.1:${master.port}`,
      keyPrefix: newKeyPrefix(),
      stop: () => stopAll(servers),
    };
  } catch (error) {
    await stopAll(servers);
    throw error;
  }
}

/**
 * A Redis Cluster of three masters (no replicas), each a redis-server child on loopback, its
 * slots assigned by `redis-cli --cluster create`. Resolves once every node reports cluster_state:ok.
 */
export async function startRedisCluster(options: RedisTopologyOptions = {}): Promise<RedisClusterHarness> {
  const binary = await redisServerBinary();
  const cli = await findExecutable('redis-cli');
  if (cli === undefined) throw new Error('Cluster tests need redis-cli on PATH (it comes with redis-server)');
  const servers: RedisProcess[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) {
      const node = await startServer(binary, 'redis-cluster-node', (port, dir) =>
        Promise.resolve(
          dataNodeArgs(port, dir, options.password, [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(dir.path, 'nodes.conf'),
            '--cluster-node-timeout',
            '5000',
          ]),
        ),
      );
      servers.push(node.server);
      ports.push(node.port);
    }
    await runCli(cli, [
      ...(options.password === undefined ? [] : ['-a', options.password, '--no-auth-warning']),
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (const port of ports) {
      const probe = new Redis({
        host: '127.0.0.1',
        port,
        password: options.password,
        lazyConnect: true,
        maxRetriesPerRequest: 1,
      });
      try {
        await probe.connect();
        await waitFor(async () => (await probe.cluster('INFO')).includes('cluster_state:ok'), {
          description: `cluster node ${port} to report cluster_state:ok`,
          timeoutMs: READY_TIMEOUT_MS,
        });
      } finally {
        probe.disconnect();
      }
    }
    const nodes = ports.map((port) => ({ host: '127.0.0.1', port }));
    return {
      url: `redis-cluster://${auth(options.password)}${ports.map((port) => `127.0.0.1:${port}`).join(',')}`,
      nodes,
      keyPrefix: newKeyPrefix(),
      stop: () => stopAll(servers),
    };
  } catch (error) {
    await stopAll(servers);
    throw error;
  }
}

function runCli(cli: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`redis-cli ${args.join(' ')} exited ${code}:\n${output}`)),
    );
  });
}
