#!/usr/bin/env node
import { createLogger, runService } from '@claudine/observability';
import { loadConfig } from './config';
import { WorkerService } from './worker-service';

/**
 * Composition root: read the config once, build the worker, wire the signals. SIGTERM (and
 * SIGINT) drain: no new tasks, running ones finish up to CLAUDINE_DRAIN_TIMEOUT_MS, the rest go
 * back to the queue without spending an attempt, then exit 0. A second signal exits at once.
 */
runService('claudine-worker', async () => {
  const config = loadConfig();
  // The service binds its workerId to every line (WorkerService.create).
  const logger = createLogger({ name: 'worker', level: config.logLevel });
  const service = await WorkerService.create({ config, logger });
  return { logger, close: () => service.drain(config.drainTimeoutMs) };
});
