export { createLogger, LOG_LEVELS, REDACTED_PATHS, redactUrl } from './logger';
export type { CreateLoggerOptions, Logger, LogLevel } from './logger';
export { createMetricsRegistry } from './metrics';
export { bearerTokenAuthorizer, startOpsServer } from './http-endpoints';
export type { OpsServer, OpsServerOptions } from './http-endpoints';
export { runService } from './run-service';
export type { StartedService } from './run-service';
