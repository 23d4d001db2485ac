import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { ClusterClient } from 'claudine';
import type { Task } from '@claudine/core';
import { isProcessAlive, waitFor } from '@claudine/testing';
import type { HostNetwork } from './host-network';
import { HostProcess } from './host-process';

export const KEY_PREFIX = '{claudine}';
const REDIS_PORT = 6379;
const GRPC_PORT = 50551;
const AGENT = path.resolve(__dirname, '../../fixtures/gated-agent.sh');

/**
 * Failover settings passed to every worker explicitly, so the suite measures these whatever the
 * defaults are: a dead worker's lock expires after 6 s, and a stalled check every 2 s finds it.
 */
export const FAILOVER_ENV = {
  CLAUDINE_LOCK_DURATION_MS: '6000',
  CLAUDINE_STALLED_INTERVAL_MS: '2000',
  CLAUDINE_HEARTBEAT_INTERVAL_MS: '1000',
} as const;

/**
 * Capacity from the machine's free CPU and memory would make a busy CI box take no task at all:
 * the tests want exactly CLAUDINE_WORKER_CAPACITY agents per worker, whatever the load (an agent
 * cost of 0 leaves CPU and memory out of the count).
 */
const NO_RESOURCE_LIMITS = {
  CLAUDINE_CPU_RESERVE: '0',
  CLAUDINE_MEMORY_RESERVE: '0',
  CLAUDINE_AGENT_CPU: '0',
  CLAUDINE_AGENT_MEMORY: '0',
  CLAUDINE_SPAWN_INTERVAL_MS: '0',
} as const;

function serviceMain(packageName: string): string {
  const main = path.join(path.dirname(require.resolve(`${packageName}/package.json`)), 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build it first (npx nx build ${packageName})`);
  return main;
}

/** One line of the stand-in agent's log. */
export interface AgentStep {
  step: 'start' | 'after-gate';
  taskId: string;
  /** The agent's pid, which is also its process group. */
  pid: number;
  /** The worker that ran it, from its data directory. */
  workerId: string;
}

export interface CoordinatorHandle {
  process: HostProcess;
  id: string;
  address: string;
}

/**
 * The Claudine processes of one test on a HostNetwork: a Redis, coordinators and workers, each
 * on its own host, all from their builds. The test process talks to them through the bridge.
 */
export class MultiHostCluster {
  readonly processes: HostProcess[] = [];
  readonly workers = new Map<string, HostProcess>();
  private clients: ClusterClient[] = [];
  private redisClient: Redis | undefined;

  constructor(
    readonly network: HostNetwork,
    /** A directory for this test: worker data, gates, the agents' log. */
    readonly dir: string,
  ) {}

  get redisUrl(): string {
    return `redis://${this.network.address('redis')}:${REDIS_PORT}`;
  }

  get agentLog(): string {
    return path.join(this.dir, 'agents.log');
  }

  gate(name: string): string {
    return path.join(this.dir, 'gates', name);
  }

  /** A Redis client in the test process, reaching Redis's host through the bridge. */
  get redis(): Redis {
    this.redisClient ??= new Redis(this.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: false });
    return this.redisClient;
  }

  async startRedis(host = 'redis'): Promise<void> {
    await mkdir(path.join(this.dir, 'gates'), { recursive: true });
    const redis = HostProcess.start(
      this.network,
      host,
      'redis',
      'redis-server',
      [
        '--port',
        String(REDIS_PORT),
        '--bind',
        this.network.address(host),
        // Other hosts connect with no password: this is a private bridge.
        '--protected-mode',
        'no',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
        '--maxmemory-policy',
        'noeviction',
      ],
      {},
    );
    this.processes.push(redis);
    await waitFor(() => redis.output.includes('Ready to accept connections'), {
      timeoutMs: 10_000,
      description: `redis-server on ${host} ready (output: ${redis.output})`,
    });
  }

  /** A coordinator serving gRPC on its host's address; resolves once it answers there. */
  async startCoordinator(host: string, env: Record<string, string> = {}): Promise<CoordinatorHandle> {
    const coordinator = HostProcess.start(
      this.network,
      host,
      host,
      process.execPath,
      [serviceMain('@claudine/coordinator')],
      {
        REDIS_URL: this.redisUrl,
        CLAUDINE_KEY_PREFIX: KEY_PREFIX,
        CLAUDINE_COORDINATOR_ID: host,
        CLAUDINE_GRPC_HOST: '0.0.0.0',
        CLAUDINE_GRPC_PORT: String(GRPC_PORT),
        CLAUDINE_METRICS_HOST: '0.0.0.0',
        LOG_LEVEL: 'warn',
        ...env,
      },
    );
    this.processes.push(coordinator);
    const address = `${this.network.address(host)}:${GRPC_PORT}`;
    await waitFor(
      async () => {
        if (!coordinator.running) throw new Error(`exited: ${coordinator.output}`);
        const probe = ClusterClient.connect(address);
        try {
          await probe.listWorkers();
          return true;
        } finally {
          probe.close();
        }
      },
      { timeoutMs: 30_000, intervalMs: 200, description: `the coordinator on ${address} to answer` },
    );
    return { process: coordinator, id: host, address };
  }

  client(coordinator: CoordinatorHandle): ClusterClient {
    const client = ClusterClient.connect(coordinator.address);
    this.clients.push(client);
    return client;
  }

  /** A worker (id = host name) running the gated stand-in agent; resolves once it is in the registry. */
  async startWorker(host: string, env: Record<string, string> = {}): Promise<HostProcess> {
    const worker = HostProcess.start(
      this.network,
      host,
      host,
      process.execPath,
      [serviceMain('@claudine/worker')],
      {
        REDIS_URL: this.redisUrl,
        CLAUDINE_KEY_PREFIX: KEY_PREFIX,
        CLAUDINE_WORKER_ID: host,
        CLAUDINE_WORKER_CAPACITY: '1',
        CLAUDINE_DATA_DIR: path.join(this.dir, 'workers', host),
        CLAUDINE_AGENT_COMMAND: AGENT,
        CLAUDINE_WORKTREE_GC_INTERVAL_MS: '0',
        CLAUDINE_METRICS_HOST: '0.0.0.0',
        LOG_LEVEL: 'warn',
        ...NO_RESOURCE_LIMITS,
        ...FAILOVER_ENV,
        ...env,
      },
    );
    this.processes.push(worker);
    this.workers.set(host, worker);
    await waitFor(
      async () => {
        if (!worker.running) throw new Error(`exited: ${worker.output}`);
        return (await this.heartbeat(host)) !== undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, description: `worker ${host} in the registry` },
    );
    return worker;
  }

  worker(host: string): HostProcess {
    const worker = this.workers.get(host);
    if (!worker) throw new Error(`no worker started on ${host}`);
    return worker;
  }

  /** A worker's registry entry as stored (`{p}:worker:<id>`), or undefined when it has none. */
  async heartbeat(workerId: string): Promise<Record<string, unknown> | undefined> {
    const value = await this.redis.get(`${KEY_PREFIX}:worker:${workerId}`);
    return value === null ? undefined : (JSON.parse(value) as Record<string, unknown>);
  }

  /** What the stand-in agents logged so far. */
  async agentSteps(): Promise<AgentStep[]> {
    const text = await readFile(this.agentLog, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const [step, taskId, pid, configDir] = line.split(' ');
        const workerId = /\/workers\/([^/]+)\//.exec(configDir ?? '')?.[1] ?? '?';
        return { step: step as AgentStep['step'], taskId: taskId ?? '', pid: Number(pid), workerId };
      });
  }

  /** The prompt words that make the stand-in agent log to this test's log and wait on a gate (if named). */
  prompt(text: string, gate?: string): string {
    return `${text} log:${this.agentLog}${gate === undefined ? '' : ` gate:${this.gate(gate)}`}`;
  }

  /** Waits until an agent of the task has started (on any worker but those excluded). */
  async agentStarted(taskId: string, options: { not?: string; timeoutMs?: number } = {}): Promise<AgentStep> {
    return waitFor(
      async () =>
        (await this.agentSteps()).find(
          (step) => step.step === 'start' && step.taskId === taskId && step.workerId !== options.not,
        ),
      {
        timeoutMs: options.timeoutMs ?? 20_000,
        intervalMs: 50,
        description: `an agent of ${taskId} to start${options.not ? ` on a worker other than ${options.not}` : ''}`,
      },
    );
  }

  async waitForState(
    client: ClusterClient,
    taskId: string,
    states: readonly Task['state'][],
    timeoutMs = 30_000,
  ): Promise<Task> {
    return waitFor(
      async () => {
        const task = await client.get(taskId);
        return states.includes(task.state) ? task : undefined;
      },
      { timeoutMs, intervalMs: 100, description: `task ${taskId} to be ${states.join(' or ')}` },
    );
  }

  /** SIGKILLs an agent's process group (an orphan of a killed worker) and waits until it is gone. */
  async killAgent(pid: number): Promise<void> {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await waitFor(() => !isProcessAlive(pid), { timeoutMs: 5_000, description: `agent ${pid} to end` });
  }

  /** Closes the clients and kills every process on every host. */
  async stop(): Promise<void> {
    for (const client of this.clients) client.close();
    this.clients = [];
    const redis = this.redisClient;
    this.redisClient = undefined;
    redis?.disconnect();
    await this.network.killEverything();
    await Promise.all(this.processes.map((proc) => proc.exited));
    for (const proc of this.processes) proc.detach();
  }

  /** The output tails of every process, for a failure message. */
  describe(): string {
    return this.processes.map((proc) => `--- ${proc.name}\n${proc.output}`).join('\n');
  }
}
