import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { request } from 'node:http';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type * as Testcontainers from 'testcontainers';
import { findFreePort } from './free-port';
import { createTempDir, type TempDir } from './temp-dir';

export interface RedisHarness {
  /** redis://host:port */
  url: string;
  /**
   * Fresh per harness, e.g. `{claudine-test-1a2b3c4d}`. The braces are a Redis Cluster hash tag,
   * so multi-key commands and Lua scripts (BullMQ) keep working under the prefix; it is what
   * isolates suites that share one REDIS_URL.
   */
  keyPrefix: string;
  /** Releases what startRedis() started; a no-op for REDIS_URL. Safe to call twice. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3_000;
const MAX_PORT_ATTEMPTS = 5;
const OUTPUT_TAIL_CHARS = 4_000;

/**
 * A real Redis for one suite: REDIS_URL if set, else a private redis-server child on loopback,
 * else a `redis:7` container when a Docker engine answers.
 */
export async function startRedis(): Promise<RedisHarness> {
  const keyPrefix = `{claudine-test-${randomBytes(4).toString('hex')}}`;
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv !== undefined && fromEnv !== '') {
    return { url: fromEnv, keyPrefix, stop: () => Promise.resolve() };
  }
  const binary = await findExecutable('redis-server');
  if (binary !== undefined) return startRedisProcess(binary, keyPrefix);
  if (await dockerAnswers()) return startRedisContainer(keyPrefix);
  throw new Error(
    'No Redis available for tests: install redis-server (apt-get install redis-server) ' +
      'or set REDIS_URL=redis://host:port (no redis-server on PATH and no Docker engine answered).',
  );
}

async function startRedisProcess(binary: string, keyPrefix: string): Promise<RedisHarness> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    const dir = await createTempDir('claudine-redis-');
    const server = new RedisProcess(binary, port, dir);
    const outcome = await server.ready(deadline);
    if (outcome === 'ready') {
      return { url: `redis://127.0.0.1:${port}`, keyPrefix, stop: () => server.stop() };
    }
    await server.stop();
    // findFreePort() releases its port before redis binds it, so another process may win the race.
    const lostPortRace = outcome === 'exited' && server.output.includes('Address already in use');
    if (!lostPortRace || attempt >= MAX_PORT_ATTEMPTS || Date.now() >= deadline) {
      const reason =
        outcome === 'timeout' ? `did not become ready within ${READY_TIMEOUT_MS}ms` : 'exited during startup';
      throw new Error(`${binary} on port ${port} ${reason}. Output:\n${server.output}`);
    }
  }
}

/** Children still running, killed if the test process exits without calling stop(). */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function killLeftoverChildren(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
}

/** A redis-server child; exported for the topologies (redis-topologies.ts). */
export class RedisProcess {
  private readonly child: ChildProcess;
  private readonly closed: Promise<void>;
  private tail = '';
  private stopping: Promise<void> | undefined;

  /**
   * @param args replace the standard ones (loopback, no persistence, noeviction) when given, e.g.
   *   a sentinel's config file and `--sentinel`
   */
  constructor(
    binary: string,
    port: number,
    private readonly dir: TempDir,
    args?: string[],
    /** The log line that says it serves (a Sentinel prints no "Ready to accept connections"). */
    private readonly readyLine = 'Ready to accept connections',
  ) {
    this.child = spawn(
      binary,
      args ?? [
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
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    liveChildren.add(this.child);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', killLeftoverChildren);
    }
    // 'close' rather than 'exit': it also waits for the pipes, which Jest would report as open handles.
    this.closed = new Promise((resolve) => {
      this.child.once('close', () => {
        liveChildren.delete(this.child);
        resolve();
      });
    });
    // Keep draining after startup so a chatty server never blocks on a full pipe.
    const record = (chunk: Buffer): void => {
      this.tail = (this.tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    this.child.stdout?.on('data', record);
    this.child.stderr?.on('data', record);
    this.child.once('error', (error) => record(Buffer.from(`spawn error: ${error.message}\n`)));
  }

  get output(): string {
    return this.tail;
  }

  /** Resolves on the log line redis-server prints once it accepts connections (it answers PING from then on). */
  ready(deadline: number): Promise<'ready' | 'exited' | 'timeout'> {
    return new Promise((resolve) => {
      const settle = (outcome: 'ready' | 'exited' | 'timeout'): void => {
        clearTimeout(timer);
        this.child.stdout?.removeListener('data', onData);
        resolve(outcome);
      };
      const onData = (): void => {
        if (this.tail.includes(this.readyLine)) settle('ready');
      };
      const timer = setTimeout(() => settle('timeout'), Math.max(deadline - Date.now(), 0));
      this.child.stdout?.on('data', onData);
      void this.closed.then(() => settle('exited'));
    });
  }

  stop(): Promise<void> {
    this.stopping ??= this.terminate().finally(() => this.dir.remove());
    return this.stopping;
  }

  private async terminate(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      // child.killed turns true as soon as a signal is sent, so only the close event proves it is gone.
      const escalation = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
      await this.closed;
      clearTimeout(escalation);
    } else {
      await this.closed;
    }
  }
}

async function startRedisContainer(keyPrefix: string): Promise<RedisHarness> {
  let testcontainers: typeof Testcontainers;
  try {
    // Loaded only here: it is heavy, and testcontainers 12 does not even load on Node < 22.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    testcontainers = require('testcontainers') as typeof Testcontainers;
  } catch (error) {
    throw new Error(
      `A Docker engine answers but testcontainers failed to load on Node ${process.version}: ` +
        `${error instanceof Error ? error.message : String(error)} (testcontainers 12 needs Node >= 22.22; 11.x runs on Node 20). ` +
        'Install redis-server (apt-get install redis-server) or set REDIS_URL instead.',
      { cause: error },
    );
  }
  const { GenericContainer, Wait } = testcontainers;
  const container = await new GenericContainer('redis:7')
    .withCommand(['redis-server', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'])
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
    .withStartupTimeout(60_000)
    .start();
  let stopped: Promise<void> | undefined;
  return {
    url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
    keyPrefix,
    stop: () => {
      stopped ??= container.stop().then(() => undefined);
      return stopped;
    },
  };
}

export async function findExecutable(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this PATH entry.
    }
  }
  return undefined;
}

/**
 * Pings the engine ourselves rather than through testcontainers, so machines without Docker
 * never pay for (or crash on) loading it.
 */
async function dockerAnswers(): Promise<boolean> {
  const dockerHost = process.env.DOCKER_HOST;
  const candidates: Array<{ socketPath: string } | { host: string; port: number }> = [];
  if (dockerHost?.startsWith('unix://')) {
    candidates.push({ socketPath: dockerHost.slice('unix://'.length) });
  } else if (dockerHost?.startsWith('tcp://')) {
    const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    candidates.push({ host: url.hostname, port: Number(url.port || 2375) });
  } else {
    candidates.push(
      { socketPath: '/var/run/docker.sock' },
      { socketPath: join(homedir(), '.docker/run/docker.sock') },
    );
  }
  for (const target of candidates) {
    if (await pingDocker(target)) return true;
  }
  return false;
}

function pingDocker(target: { socketPath: string } | { host: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy(new Error('Docker ping timed out')));
    req.once('error', () => resolve(false));
    req.end();
  });
}
