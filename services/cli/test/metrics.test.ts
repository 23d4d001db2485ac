import path from 'node:path';
import type { CoordinatorService } from '@claudine/coordinator';
import { isTerminalState, type Task } from '@claudine/core';
import type { ProtoTaskSpec } from '@claudine/proto';
import {
  waitFor,
  type GitFixture,
} from '@claudine/testing';
import type { WorkerService } from '@claudine/worker';
import { ClusterClient } from '../src/client/cluster-client';
import { startInProcessCluster, type InProcessCluster } from './support/in-process-cluster';

/**
 * What /metrics says once tasks ran: a coordinator and a worker (in this process) on a real
 * Redis, a real repository, and a stand-in agent that reports a model, a cost and tokens.
 */
const AGENT = path.join(__dirname, 'fixtures', 'agent-reports-usage.sh');

/** The value of one sample of a Prometheus text exposition, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = new Map(
      [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map(
        (pair): [string, string] => [pair[1] ?? '', pair[2] ?? ''],
      ),
    );
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value)) return Number(match[3]);
  }
  return undefined;
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return response.text();
}

describe('metrics', () => {
  let cluster: InProcessCluster | undefined;
  let repo: GitFixture;
  let coordinator: CoordinatorService;
  let worker: WorkerService;
  let client: ClusterClient;

  beforeAll(async () => {
    cluster = await startInProcessCluster({
      readme: '# metrics\n',
      dataDirPrefix: 'claudine-metrics-',
      worker: { id: 'metrics-worker', agent: AGENT, capacity: 2 },
    });
    ({ repo, coordinator, worker } = cluster);
    client = ClusterClient.connect(coordinator.grpcAddress);
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await cluster?.close();
  }, 60_000);

  const delegate = (prompt: string, spec: Partial<ProtoTaskSpec> = {}): Promise<Task> =>
    client.delegate({ prompt, repository: repo.path, ...spec });

  const finished = (id: string): Promise<Task> =>
    waitFor(
      async () => {
        const task = await client.get(id);
        return isTerminalState(task.state) && task;
      },
      { timeoutMs: 30_000, description: `task ${id} to finish` },
    );

  it('counts tasks, cost, tokens, durations and exits once tasks ran', async () => {
    const tasks = await Promise.all([delegate('one'), delegate('two'), delegate('please fail')]);
    await expect(delegate('')).rejects.toThrow();
    const states = (await Promise.all(tasks.map((task) => finished(task.id)))).map((task) => task.state);
    expect(states.sort()).toEqual(['completed', 'completed', 'failed']);

    const fromWorker = await scrape(worker.metricsUrl);
    const model = { model: 'claude-test-1' };
    expect(sample(fromWorker, 'claudine_agent_cost_usd_total', model)).toBeCloseTo(0.55, 10);
    expect(sample(fromWorker, 'claudine_agent_tokens_total', { ...model, kind: 'input' })).toBe(210);
    expect(sample(fromWorker, 'claudine_agent_tokens_total', { ...model, kind: 'output' })).toBe(41);
    expect(sample(fromWorker, 'claudine_agent_tokens_total', { ...model, kind: 'cache_creation' })).toBe(60);
    expect(sample(fromWorker, 'claudine_agent_tokens_total', { ...model, kind: 'cache_read' })).toBe(80);
    expect(sample(fromWorker, 'claudine_task_duration_seconds_count', { state: 'completed' })).toBe(2);
    expect(sample(fromWorker, 'claudine_task_duration_seconds_count', { state: 'failed' })).toBe(1);
    expect(sample(fromWorker, 'claudine_task_queue_wait_seconds_count')).toBe(3);
    expect(sample(fromWorker, 'claudine_agent_exits_total', { reason: 'completed' })).toBe(2);
    expect(sample(fromWorker, 'claudine_agent_exits_total', { reason: 'failed' })).toBe(1);
    expect(sample(fromWorker, 'claudine_worker_tasks_finished_total', { state: 'completed' })).toBe(2);
    expect(sample(fromWorker, 'claudine_task_retries_total')).toBe(0);
    expect(sample(fromWorker, 'claudine_task_failovers_total')).toBe(0);
    expect(sample(fromWorker, 'claudine_worker_max_capacity', { worker_id: 'metrics-worker' })).toBe(2);
    expect(sample(fromWorker, 'claudine_worker_running_tasks')).toBe(0);
    expect(sample(fromWorker, 'claudine_redis_rtt_seconds_count', { service: 'worker' })).toBeGreaterThan(0);
    expect(sample(fromWorker, 'process_cpu_user_seconds_total')).toBeDefined();

    const fromCoordinator = await scrape(coordinator.metricsUrl);
    expect(sample(fromCoordinator, 'claudine_tasks', { state: 'completed' })).toBe(2);
    expect(sample(fromCoordinator, 'claudine_tasks', { state: 'failed' })).toBe(1);
    expect(sample(fromCoordinator, 'claudine_tasks', { state: 'queued' })).toBe(0);
    expect(sample(fromCoordinator, 'claudine_tasks_blocked')).toBe(0);
    expect(sample(fromCoordinator, 'claudine_delegations_total', { outcome: 'accepted' })).toBe(3);
    expect(sample(fromCoordinator, 'claudine_delegations_total', { outcome: 'invalid' })).toBe(1);
    expect(sample(fromCoordinator, 'claudine_workers', { state: 'running' })).toBe(1);
    expect(sample(fromCoordinator, 'claudine_workers', { state: 'dead' })).toBe(0);
    expect(sample(fromCoordinator, 'claudine_queue_depth', { priority: 'P0' })).toBe(0);
    expect(sample(fromCoordinator, 'claudine_grpc_requests_total', { method: 'Delegate', code: 'OK' })).toBe(
      3,
    );
    expect(
      sample(fromCoordinator, 'claudine_redis_rtt_seconds_count', { service: 'coordinator' }),
    ).toBeGreaterThan(0);
    expect(sample(fromCoordinator, 'claudine_coordinator_lease_held')).toBe(1);
    expect(sample(fromCoordinator, 'process_cpu_user_seconds_total')).toBeDefined();
  }, 60_000);

  it('shows waiting and blocked tasks, by priority', async () => {
    // No worker has this label: the task waits in its requirement queue.
    const waiting = await delegate('waits', { requires: ['metrics-nobody'], priority: 'PRIORITY_P0' });
    const blocked = await delegate('blocked', { dependsOn: [waiting.id] });
    const fromCoordinator = await scrape(coordinator.metricsUrl);
    expect(sample(fromCoordinator, 'claudine_queue_depth', { priority: 'P0' })).toBe(1);
    expect(sample(fromCoordinator, 'claudine_tasks', { state: 'queued' })).toBe(1);
    expect(sample(fromCoordinator, 'claudine_tasks', { state: 'blocked' })).toBe(1);
    expect(sample(fromCoordinator, 'claudine_tasks_blocked')).toBe(1);
    await client.cancel(blocked.id);
    await client.cancel(waiting.id);
  }, 30_000);

  it('observes how late a schedule fire was handled', async () => {
    await client.scheduleTask({
      template: { prompt: 'scheduled', repository: repo.path },
      everyMs: 1_000,
      maxRuns: 1,
    });
    await waitFor(
      async () =>
        (sample(await scrape(coordinator.metricsUrl), 'claudine_schedule_fire_lateness_seconds_count') ??
          0) >= 1,
      { timeoutMs: 15_000, description: 'a schedule fire to be observed' },
    );
  }, 30_000);
});
