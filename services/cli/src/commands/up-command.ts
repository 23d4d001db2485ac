import { z } from 'zod';
import { parseEnv, parseRedisUrl, RedisEnvShape, redisUrlFromEnv } from '@claudine/core';
import { parseFlags } from '../flags';
import { defaultStateDir, startLocalCluster } from '../local-cluster/local-cluster';
import { EXIT } from '../output';

const UpFlagsSchema = z.object({
  workers: z.coerce.number().int().min(1).max(64).default(2),
  capacity: z.coerce.number().int().min(1).max(256).default(2),
  port: z.coerce.number().int().min(1).max(65_535).default(50551),
  redisUrl: z
    .string()
    .refine((url) => {
      try {
        parseRedisUrl(url);
        return true;
      } catch {
        return false;
      }
    }, 'must be redis://, rediss://, redis-sentinel://h:p,.../<master> or redis-cluster://h:p,...')
    .optional(),
  stateDir: z.string().optional(),
});

/** Runs a local cluster in the foreground until Ctrl-C (or SIGTERM), then stops it cleanly. */
export async function upCommand(rawFlags: Record<string, unknown>): Promise<number> {
  const flags = parseFlags(UpFlagsSchema, rawFlags);
  const write = (text: string): void => void process.stdout.write(text);
  const stateDir = flags.stateDir ?? defaultStateDir();
  write(`Starting Claudine: ${flags.workers} workers × ${flags.capacity} tasks, state in ${stateDir}\n`);
  const cluster = await startLocalCluster({
    workers: flags.workers,
    capacity: flags.capacity,
    grpcPort: flags.port,
    redisUrl: flags.redisUrl ?? redisFromEnv(),
    stateDir,
    write,
  });
  write(
    [
      '',
      'Claudine is up.',
      `  gRPC      ${cluster.grpcAddress}   (claudine delegate "..." --wait)`,
      `  Redis     ${cluster.redisUrl}`,
      ...cluster.metricsUrls.map(({ name, url }) => `  metrics   ${url}   (${name})`),
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  write('\nStopping… (press Ctrl-C again to kill at once)\n');
  const forced = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  }).then(async () => {
    write('Killing the services.\n');
    await cluster.kill();
  });
  await Promise.race([cluster.stop(), forced]);
  write('Stopped.\n');
  return EXIT.ok;
}

/**
 * The Redis the environment names (REDIS_URL, REDIS_SENTINELS + REDIS_SENTINEL_MASTER, or
 * REDIS_CLUSTER_NODES, with REDIS_USERNAME / REDIS_PASSWORD), folded into one url; undefined when
 * none is set, and `up` starts a Redis of its own.
 * @throws AppError CONFIG_INVALID naming the variable at fault
 */
function redisFromEnv(): string | undefined {
  const env = parseEnv(z.object(RedisEnvShape), process.env);
  if (
    env.REDIS_URL === undefined &&
    env.REDIS_SENTINELS === undefined &&
    env.REDIS_CLUSTER_NODES === undefined
  )
    return undefined;
  return redisUrlFromEnv(env);
}
