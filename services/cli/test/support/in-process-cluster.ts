import { CoordinatorService, loadConfig as loadCoordinatorConfig } from '@claudine/coordinator';
import { createLogger } from '@claudine/observability';
import type { RedisHarness } from '@claudine/testing';
import { loadConfig as loadWorkerConfig, WorkerService } from '@claudine/worker';

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
