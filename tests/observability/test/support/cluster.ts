import { CoordinatorService, loadConfig as loadCoordinatorConfig } from '@claudine/coordinator';
import { createLogger } from '@claudine/observability';
import type { RedisHarness } from '@claudine/testing';
import { loadConfig as loadWorkerConfig, WorkerService } from '@claudine/worker';

// The minimum of services/cli/test/support/in-process-cluster.ts (a test project does not reach
// into another's test folder): a coordinator and workers in this process, metrics on free ports.

/** The services log nothing: a failure shows in the assertions. */
const silent = createLogger({ name: 'test', level: 'silent' });

export function startCoordinator(redis: RedisHarness): Promise<CoordinatorService> {
  return CoordinatorService.create(
    loadCoordinatorConfig({
      REDIS_URL: redis.url,
      CLAUDINE_KEY_PREFIX: redis.keyPrefix,
      CLAUDINE_GRPC_PORT: '0',
      CLAUDINE_METRICS_PORT: '0',
      LOG_LEVEL: 'silent',
    }),
    silent,
  );
}

export function startWorker(
  redis: RedisHarness,
  options: { id: string; dataDir: string; agent: string },
): Promise<WorkerService> {
  return WorkerService.create({
    config: loadWorkerConfig({
      REDIS_URL: redis.url,
      CLAUDINE_KEY_PREFIX: redis.keyPrefix,
      CLAUDINE_WORKER_ID: options.id,
      CLAUDINE_WORKER_CAPACITY: '4',
      CLAUDINE_DATA_DIR: options.dataDir,
      CLAUDINE_AGENT_COMMAND: options.agent,
      CLAUDINE_HEARTBEAT_INTERVAL_MS: '200',
      CLAUDINE_WORKTREE_GC_INTERVAL_MS: '0',
      CLAUDINE_METRICS_PORT: '0',
      // Its capacity at once, whatever the load of the machine.
      CLAUDINE_AGENT_CPU: '0',
      CLAUDINE_AGENT_MEMORY: '0',
      CLAUDINE_SPAWN_INTERVAL_MS: '0',
      LOG_LEVEL: 'silent',
    }),
    logger: silent,
  });
}

/** `host:port` of a service's /metrics URL, as a Prometheus target. */
export function scrapeTarget(metricsUrl: string): string {
  return new URL(metricsUrl).host;
}
