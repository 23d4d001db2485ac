import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { prettyFactory } from 'pino-pretty';
import { redactUrl } from '@claudine/observability';
import { freePort, startLocalRedis, type LocalRedis } from './redis-process';
import { ServiceProcess } from './service-process';

export interface LocalClusterOptions {
  workers: number;
  capacity: number;
  grpcPort: number;
  redisUrl?: string;
  stateDir: string;
  /** Extra environment for every service (for example agent settings). */
  env?: NodeJS.ProcessEnv;
  /** Where readable logs go. */
  write(text: string): void;
}

export interface LocalCluster {
  grpcAddress: string;
  metricsUrls: { name: string; url: string }[];
  redisUrl: string;
  /** Stops workers first (their agents' outcomes are recorded), then the coordinator, then Redis. */
  stop(): Promise<void>;
  /** Kills every service at once (a second Ctrl-C); Redis still stops cleanly, keeping its AOF. */
  kill(): Promise<void>;
}

export function defaultStateDir(): string {
  return process.env.CLAUDINE_HOME
    ? path.resolve(process.env.CLAUDINE_HOME)
    : path.join(os.homedir(), '.claudine', 'local');
}

function serviceScript(packageName: string): string {
  return require.resolve(`${packageName}/dist/main.js`);
}

/**
 * `claudine up`: Redis (given, or a child with AOF under the state directory), one coordinator
 * and N workers, each its own process, with their JSON logs pretty-printed and tagged.
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  await mkdir(options.stateDir, { recursive: true });
  let redis: LocalRedis | undefined;
  const redisUrl = options.redisUrl ?? (redis = await startLocalRedis(options.stateDir)).url;
  const pretty = prettyFactory({
    colorize: process.stdout.isTTY,
    ignore: 'pid,hostname,service',
    translateTime: 'HH:MM:ss.l',
    singleLine: true,
  });
  const width = Math.max('coordinator'.length, `worker-${options.workers}`.length);
  const onLine = (name: string, line: string): void => {
    const tag = `[${name}]`.padEnd(width + 2);
    const text = line.startsWith('{') ? pretty(line).trimEnd() : line;
    options.write(`${tag} ${text}\n`);
  };
  const onExit = (name: string, code: number | null, signal: NodeJS.Signals | null): void => {
    options.write(`[${name}] exited (${signal ?? `code ${code}`})\n`);
  };
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    // The services get the one folded url; the variables it came from would name a second topology.
    REDIS_URL: redisUrl,
    REDIS_SENTINELS: '',
    REDIS_SENTINEL_MASTER: '',
    REDIS_CLUSTER_NODES: '',
  };
  const services: ServiceProcess[] = [];
  const metricsUrls: { name: string; url: string }[] = [];

  const coordinatorMetricsPort = await freePort();
  services.push(
    new ServiceProcess({
      name: 'coordinator',
      script: serviceScript('@claudine/coordinator'),
      env: {
        ...base,
        CLAUDINE_GRPC_HOST: '127.0.0.1',
        CLAUDINE_GRPC_PORT: String(options.grpcPort),
        CLAUDINE_METRICS_PORT: String(coordinatorMetricsPort),
      },
      onLine,
      onExit,
    }),
  );
  metricsUrls.push({ name: 'coordinator', url: `http://127.0.0.1:${coordinatorMetricsPort}/metrics` });
  for (let i = 1; i <= options.workers; i++) {
    const port = await freePort();
    const name = `worker-${i}`;
    services.push(
      new ServiceProcess({
        name,
        script: serviceScript('@claudine/worker'),
        env: {
          ...base,
          CLAUDINE_WORKER_ID: `${os.hostname()}-${name}`,
          CLAUDINE_WORKER_CAPACITY: String(options.capacity),
          // Ctrl-C stops the workers with 15 s of grace: a drain that ends before it hands the
          // unfinished tasks back cleanly, rather than leaving them to the stalled check.
          CLAUDINE_DRAIN_TIMEOUT_MS: '10000',
          CLAUDINE_DATA_DIR: path.join(options.stateDir, 'workers', name),
          CLAUDINE_METRICS_PORT: String(port),
        },
        onLine,
        onExit,
      }),
    );
    metricsUrls.push({ name, url: `http://127.0.0.1:${port}/metrics` });
  }
  const stop = async (): Promise<void> => {
    // Workers first, so their agents' outcomes are recorded while Redis is still there.
    await Promise.all(services.slice(1).map((service) => service.stop(15_000)));
    await services[0]?.stop(5_000);
    await redis?.stop();
  };
  for (const service of services) service.start();
  try {
    await Promise.all(
      metricsUrls.map(({ url }) => waitUntilReady(url.replace('/metrics', '/readyz'), 30_000)),
    );
  } catch (error) {
    // Leave nothing running behind a failed start.
    await stop();
    throw error;
  }

  return {
    grpcAddress: `127.0.0.1:${options.grpcPort}`,
    metricsUrls,
    redisUrl: redactUrl(redisUrl),
    stop,
    kill: async () => {
      for (const service of services) service.kill();
      await redis?.stop();
    },
  };
}

async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
      lastError = `${response.status} ${await response.text()}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms: ${lastError}`);
}
