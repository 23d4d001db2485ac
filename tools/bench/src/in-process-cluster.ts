import type { Redis } from 'ioredis';
import { ClusterClient } from 'claudine';
import { CoordinatorService, loadConfig as loadCoordinatorConfig } from '@claudine/coordinator';
import { WorkerService, loadConfig as loadWorkerConfig } from '@claudine/worker';
import { createLogger, type CreateLoggerOptions } from '@claudine/observability';
import {
  closeRedis,
  createKeyspace,
  createRedisConnection,
  TaskStore,
  waitForRedis,
  type Keyspace,
} from '@claudine/store';

export type LogDestination = NonNullable<CreateLoggerOptions['destination']>;

export interface InProcessClusterOptions {
  redisUrl: string;
  keyPrefix: string;
  /** Service logs go here (warnings and worse), never to the table on stdout. */
  logDestination: LogDestination;
  /** Omit for a coordinator alone, whose tasks then stay queued. */
  worker?: { capacity: number; agentCommand: string; dataDir: string };
}

/**
 * A coordinator (gRPC on a free loopback port) and optionally one worker, in this process, with
 * a gRPC client and a direct view of the same Redis keys for what the API does not return.
 */
export interface InProcessCluster {
  /** For calls that bypass gRPC (to tell the wire's cost from the rest). */
  coordinator: CoordinatorService;
  client: ClusterClient;
  keys: Keyspace;
  /** The bench's own Redis connection under the cluster's prefix. */
  redis: Redis;
  store: TaskStore;
  close(): Promise<void>;
}

export async function startInProcessCluster(options: InProcessClusterOptions): Promise<InProcessCluster> {
  const opened: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    // Reverse order: the client before the coordinator, the worker before Redis goes.
    for (const closeOne of opened.reverse()) await closeOne().catch(() => undefined);
  };
  try {
    const commonEnv = {
      REDIS_URL: options.redisUrl,
      CLAUDINE_KEY_PREFIX: options.keyPrefix,
      CLAUDINE_METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
    };
    const coordinatorConfig = loadCoordinatorConfig({
      ...commonEnv,
      CLAUDINE_GRPC_HOST: '127.0.0.1',
      CLAUDINE_GRPC_PORT: '0',
    });
    const coordinator = await CoordinatorService.create(
      coordinatorConfig,
      createLogger({
        name: 'coordinator',
        level: coordinatorConfig.logLevel,
        destination: options.logDestination,
      }),
    );
    opened.push(() => coordinator.close());

    if (options.worker) {
      const workerConfig = loadWorkerConfig({
        ...commonEnv,
        CLAUDINE_WORKER_ID: 'bench-worker',
        CLAUDINE_WORKER_CAPACITY: String(options.worker.capacity),
        CLAUDINE_DATA_DIR: options.worker.dataDir,
        CLAUDINE_AGENT_COMMAND: options.worker.agentCommand,
        // Exactly its capacity, whatever the machine's load: the bench measures Claudine's own overhead.
        CLAUDINE_AGENT_CPU: '0',
        CLAUDINE_AGENT_MEMORY: '0',
        CLAUDINE_SPAWN_INTERVAL_MS: '0',
      });
      const worker = await WorkerService.create({
        config: workerConfig,
        logger: createLogger({
          name: 'worker',
          level: workerConfig.logLevel,
          destination: options.logDestination,
        }),
      });
      opened.push(() => worker.close());
    }

    const redis = createRedisConnection({ url: options.redisUrl, role: 'producer', name: 'bench-reader' });
    opened.push(() => closeRedis(redis));
    await waitForRedis(redis);
    const keys = createKeyspace(options.keyPrefix);

    const client = ClusterClient.connect(coordinator.grpcAddress);
    opened.push(() => Promise.resolve(client.close()));

    return { coordinator, client, keys, redis, store: new TaskStore(redis, keys), close };
  } catch (error) {
    await close();
    throw error;
  }
}
