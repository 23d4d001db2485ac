#!/usr/bin/env node
import { createLogger, runService } from '@claudine/observability';
import { loadConfig } from './config';
import { CoordinatorService } from './coordinator-service';

/** Composition root: read the config once, build the coordinator, wire the signals. */
runService('claudine-coordinator', async () => {
  const config = loadConfig();
  const logger = createLogger({ name: 'coordinator', level: config.logLevel });
  const service = await CoordinatorService.create(config, logger);
  return { logger, close: () => service.close() };
});
