export { ConfigSchema, DEFAULT_GRPC_PORT, loadConfig } from './config';
export type { CoordinatorConfig } from './config';
export { CoordinatorService } from './coordinator-service';
export { ERROR_CODE_METADATA_KEY, grpcStatusFor, toGrpcError } from './grpc/errors';
export { describeCoordinatorMetrics } from './metrics/coordinator-metrics';
