import * as grpc from '@grpc/grpc-js';
import { AppError, assertNever, errorMessage, type ErrorCode } from '@claudine/core';

/** The one table from domain error codes to gRPC status codes. */
export function grpcStatusFor(code: ErrorCode): grpc.status {
  switch (code) {
    case 'INVALID_ARGUMENT':
      return grpc.status.INVALID_ARGUMENT;
    case 'TASK_NOT_FOUND':
    case 'PATCH_NOT_FOUND':
    case 'SCHEDULE_NOT_FOUND':
    case 'WORKER_NOT_FOUND':
      return grpc.status.NOT_FOUND;
    case 'OUT_OF_RANGE':
      return grpc.status.OUT_OF_RANGE;
    case 'TASK_ALREADY_FINISHED':
    case 'TASK_NOT_FINISHED':
    case 'TASK_NOT_BLOCKED':
    case 'SCHEDULE_STATE_INVALID':
    case 'REPOSITORY_NOT_FOUND':
    case 'REPOSITORY_INVALID':
    case 'BASE_REF_NOT_FOUND':
    case 'WORKING_DIRECTORY_INVALID':
    case 'DEPENDENCY_CYCLE':
    case 'DEPENDENCY_FAILED':
      return grpc.status.FAILED_PRECONDITION;
    case 'POLICY_REFUSED':
    case 'PERMISSION_DENIED':
      return grpc.status.PERMISSION_DENIED;
    case 'UNAUTHENTICATED':
      return grpc.status.UNAUTHENTICATED;
    case 'UNAVAILABLE':
      return grpc.status.UNAVAILABLE;
    case 'CANCELLED':
      return grpc.status.CANCELLED;
    case 'TIMEOUT':
      return grpc.status.DEADLINE_EXCEEDED;
    case 'WORKSPACE_FAILED':
    case 'SETUP_FAILED':
    case 'AGENT_START_FAILED':
    case 'AGENT_FAILED':
    case 'AGENT_NO_RESULT':
    case 'BUDGET_EXCEEDED':
    case 'MAX_TURNS':
    case 'WORKER_LOST':
    case 'CONFIG_INVALID':
    case 'REDIS_MISCONFIGURED':
    case 'INTERNAL':
      return grpc.status.INTERNAL;
    default:
      return assertNever(code, 'error code');
  }
}

/** Metadata key carrying the domain error code, so clients can tell errors apart precisely. */
export const ERROR_CODE_METADATA_KEY = 'claudine-error-code';

const REDIS_DOWN =
  /Connection is closed|enableOfflineQueue|ECONNREFUSED|Reached the max retries|Stream isn't writeable/i;

/** Translates anything thrown by a handler into a gRPC error, once, at the boundary. */
export function toGrpcError(error: unknown): Partial<grpc.StatusObject> {
  const appError = AppError.is(error)
    ? error
    : REDIS_DOWN.test(errorMessage(error))
      ? new AppError('UNAVAILABLE', `Redis is unreachable: ${errorMessage(error)}`)
      : new AppError('INTERNAL', errorMessage(error));
  const metadata = new grpc.Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, appError.code);
  return { code: grpcStatusFor(appError.code), details: appError.message, metadata };
}
