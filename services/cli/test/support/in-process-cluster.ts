import { CoordinatorService, loadConfig as loadCoordinatorConfig } from '@claudine/coordinator';
import { createLogger } from '@claudine/observability';
import { createKeyspace, createRedisConnection, TaskStore } from '@claudine/store';
import {
  createGitRepository,
  createTempDir,
  startRedis,
  type GitFixture,
  type RedisHarness,
  type TempDir,
} from '@claudine/testing';
import { loadConfig as loadWorkerConfig, WorkerService } from '@claudine/worker';
import type { Redis } from 'ioredis';

/** The services of these tests log nothing: a failure shows in the assertions. */
const silent = createLogger({ name: 'test', level: 'silent' });

/** A coordinator in this process on the test's Redis, serving gRPC on a free port. */
export function startTestCoordinator(
  redis: RedisHarness,
  env: Record<string, string> = {},
): Promise<CoordinatorService> {
  return CoordinatorService.create(
    loadCoordinatorConfig({
      REDIS_URL: redis.url,
      CLAUDINE_KEY_PREFIX: redis.keyPrefix,
      CLAUDINE_GRPC_PORT: '0',
      LOG_LEVEL: 'silent',
      ...env,
    }),
    silent,
  );
}

export interface TestWorkerOptions {
  id: string;
  dataDir: string;
  /** A stand-in agent script (test/fixtures). */
  agent: string;
  capacity?: number;
  env?: Record<string, string>;
}

/** A worker in this process, its periodic worktree collection off (it would race the tests). */
export function startTestWorker(redis: RedisHarness, options: TestWorkerOptions): Promise<WorkerService> {
  return WorkerService.create({
    config: loadWorkerConfig({
      REDIS_URL: redis.url,
      CLAUDINE_KEY_PREFIX: redis.keyPrefix,
      CLAUDINE_WORKER_ID: options.id,
      CLAUDINE_WORKER_CAPACITY: String(options.capacity ?? 4),
      CLAUDINE_DATA_DIR: options.dataDir,
      CLAUDINE_AGENT_COMMAND: options.agent,
      CLAUDINE_HEARTBEAT_INTERVAL_MS: '200',
      CLAUDINE_WORKTREE_GC_INTERVAL_MS: '0',
      // Exactly its capacity at once, whatever the load of the test machine (no CPU, memory or
      // spawn-rate limits: the worker tests cover those).
      CLAUDINE_AGENT_CPU: '0',
      CLAUDINE_AGENT_MEMORY: '0',
      CLAUDINE_SPAWN_INTERVAL_MS: '0',
      LOG_LEVEL: 'silent',
      ...options.env,
    }),
    logger: silent,
  });
}

/** What the cluster of a test file works on: a Redis, a repository and the workers' data directory. */
export interface TestGround {
  redis: RedisHarness;
  repo: GitFixture;
  dataDir: TempDir;
  /** Removes the repository and the data directory, and stops the Redis. */
  remove(): Promise<void>;
}

export interface TestGroundOptions {
  /** The content of the repository's README.md, its only file. */
  readme: string;
  /** The prefix of the data directory's name. */
  dataDirPrefix: string;
}

/** A Redis, a repository with a README and an empty data directory; on a failure, what was made is removed. */
export async function prepareTestGround(options: TestGroundOptions): Promise<TestGround> {
  const made: Partial<TestGround> = {};
  const remove = async () => {
    await made.repo?.remove();
    await made.dataDir?.remove();
    await made.redis?.stop();
  };
  try {
    made.redis = await startRedis();
    made.repo = await createGitRepository({ files: { 'README.md': options.readme } });
    made.dataDir = await createTempDir(options.dataDirPrefix);
    return { redis: made.redis, repo: made.repo, dataDir: made.dataDir, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** A test ground with a coordinator and one worker in this process. */
export interface InProcessCluster extends Omit<TestGround, 'remove'> {
  coordinator: CoordinatorService;
  worker: WorkerService;
  /** Closes the worker and the coordinator, then removes the test ground. */
  close(): Promise<void>;
}

export interface InProcessClusterOptions extends TestGroundOptions {
  coordinatorEnv?: Record<string, string>;
  /** The worker, its data directory the test ground's. */
  worker: Omit<TestWorkerOptions, 'dataDir'>;
}

/** Prepares a test ground and starts a coordinator and a worker on it; on a failure, closes what was started. */
export async function startInProcessCluster(options: InProcessClusterOptions): Promise<InProcessCluster> {
  const ground = await prepareTestGround(options);
  let coordinator: CoordinatorService | undefined;
  try {
    coordinator = await startTestCoordinator(ground.redis, options.coordinatorEnv);
    const worker = await startTestWorker(ground.redis, { ...options.worker, dataDir: ground.dataDir.path });
    const started = coordinator;
    return {
      redis: ground.redis,
      repo: ground.repo,
      dataDir: ground.dataDir,
      coordinator: started,
      worker,
      close: async () => {
        await worker.close();
        await started.close();
        await ground.remove();
      },
    };
  } catch (error) {
    await coordinator?.close();
    await ground.remove();
    throw error;
  }
}

/** A consumer connection to the test's Redis and a TaskStore on the cluster's keyspace, to look behind the API. */
export function connectTestStore(redis: RedisHarness): { connection: Redis; store: TaskStore } {
  const connection = createRedisConnection({ url: redis.url, role: 'consumer' });
  return { connection, store: new TaskStore(connection, createKeyspace(redis.keyPrefix)) };
}
