#!/usr/bin/env node
import { createLogger, runService } from '@claudine/observability';
import { loadConfig } from './config';
import { WorkerService } from './worker-service';

/** Composition root: read the config once, build the worker, wire the signals. */
runService('claudine-worker', async () => {
  const config = loadConfig();
  const logger = createLogger({
    name: 'worker',
    level: config.logLevel,
    base: { workerId: config.workerId },
  });
  const service = await WorkerService.create({ config, logger });
  return { logger, close: () => service.close() };
});
