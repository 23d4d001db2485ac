import path from 'node:path';
import { Writable } from 'node:stream';
import type { CoordinatorService } from '@claudine/coordinator';
import { isTerminalState, type Task } from '@claudine/core';
import { createLogger } from '@claudine/observability';
import {
  waitFor,
  type GitFixture,
  type RedisHarness,
  type TempDir,
} from '@claudine/testing';
import { loadConfig as loadWorkerConfig, WorkerService } from '@claudine/worker';
import { ClusterClient } from '../src/client/cluster-client';
import { prepareTestGround, startTestCoordinator, type TestGround } from './support/in-process-cluster';

/**
 * The worker's JSON log lines about tasks, from a real worker (in this process, its logger
 * captured) running tasks on a real Redis: each names the task, the worker and the attempt.
 */
const AGENT = path.join(__dirname, 'fixtures', 'agent-reports-usage.sh');

describe('task log lines', () => {
  let ground: TestGround | undefined;
  let redis: RedisHarness;
  let repo: GitFixture;
  let dataDir: TempDir;
  let coordinator: CoordinatorService;
  let worker: WorkerService;
  let client: ClusterClient;
  const lines: string[] = [];

  beforeAll(async () => {
    ground = await prepareTestGround({ readme: '# logs\n', dataDirPrefix: 'claudine-logs-' });
    ({ redis, repo, dataDir } = ground);
    coordinator = await startTestCoordinator(redis);
    client = ClusterClient.connect(coordinator.grpcAddress);
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        callback();
      },
    });
    worker = await WorkerService.create({
      config: loadWorkerConfig({
        REDIS_URL: redis.url,
        CLAUDINE_KEY_PREFIX: redis.keyPrefix,
        CLAUDINE_WORKER_ID: 'logs-worker',
        CLAUDINE_DATA_DIR: dataDir.path,
        CLAUDINE_AGENT_COMMAND: AGENT,
        CLAUDINE_WORKTREE_GC_INTERVAL_MS: '0',
        CLAUDINE_AGENT_CPU: '0',
        CLAUDINE_AGENT_MEMORY: '0',
        CLAUDINE_SPAWN_INTERVAL_MS: '0',
      }),
      logger: createLogger({ name: 'worker', level: 'debug', destination }),
    });
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await worker?.close();
    await coordinator?.close();
    await ground?.remove();
  }, 60_000);

  const finished = (id: string): Promise<Task> =>
    waitFor(
      async () => {
        const task = await client.get(id);
        return isTerminalState(task.state) && task;
      },
      { timeoutMs: 30_000, description: `task ${id} to finish` },
    );

  it('carries taskId, workerId and attempt on every line about a task, once each', async () => {
    const tasks = await Promise.all([
      client.delegate({ prompt: 'fine', repository: repo.path }),
      client.delegate({ prompt: 'please fail', repository: repo.path }),
    ]);
    await Promise.all(tasks.map((task) => finished(task.id)));

    const taskLines = lines.filter((line) => line.includes('"taskId":'));
    const messages = taskLines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toEqual(expect.arrayContaining(['agent starting', 'agent started', 'task finished']));
    for (const line of taskLines) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      expect(parsed).toMatchObject({ workerId: 'logs-worker', attempt: 1, service: 'worker' });
      expect(tasks.map((task) => task.id)).toContain(parsed.taskId);
      for (const key of ['taskId', 'workerId', 'attempt'])
        expect(line.match(new RegExp(`"${key}":`, 'g'))).toHaveLength(1);
    }
    // The worker's own lines name it too.
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual(
      expect.arrayContaining([expect.objectContaining({ msg: 'worker ready', workerId: 'logs-worker' })]),
    );
  }, 60_000);
});
