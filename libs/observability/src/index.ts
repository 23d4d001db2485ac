export { createLogger, LOG_LEVELS, REDACTED_PATHS, redactUrl, redactUrlsIn } from './logger';
export type { CreateLoggerOptions, Logger, LogLevel } from './logger';
export {
  createMetricsRegistry,
  createRedisRttHistogram,
  METRICS_REFERENCE_MARKERS,
  renderMetricsReference,
  startRedisRttProbe,
} from './metrics';
export type { RedisRttProbeOptions } from './metrics';
export { bearerTokenAuthorizer, startOpsServer } from './http-endpoints';
export type { OpsServer, OpsServerOptions } from './http-endpoints';
export { runService } from './run-service';
export type { StartedService } from './run-service';
