#!/usr/bin/env node
import { AppError } from '@claudine/core';
import { createLogger } from '@claudine/observability';
import { loadConfig } from './config';
import { WorkerService } from './worker-service';

/** Composition root: read the config once, build the worker, wire the signals. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`claudine-worker: ${AppError.is(error) ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const logger = createLogger({
    name: 'worker',
    level: config.logLevel,
    base: { workerId: config.workerId },
  });
  const service = await WorkerService.create({ config, logger });
  let signals = 0;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (++signals > 1) process.exit(1);
    logger.info({ signal }, 'shutting down');
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`claudine-worker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
