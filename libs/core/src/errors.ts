/**
 * The one error model. Every failure that crosses a boundary (gRPC, CLI, BullMQ, MCP)
 * is an AppError with a stable string code; each boundary translates codes once, in a table.
 */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'TASK_NOT_FOUND',
  'TASK_ALREADY_FINISHED',
  'TASK_NOT_FINISHED',
  'TASK_NOT_BLOCKED',
  'PATCH_NOT_FOUND',
  'SCHEDULE_NOT_FOUND',
  'SCHEDULE_STATE_INVALID',
  'WORKER_NOT_FOUND',
  'OUT_OF_RANGE',
  'REPOSITORY_NOT_FOUND',
  'REPOSITORY_INVALID',
  'BASE_REF_NOT_FOUND',
  'POLICY_REFUSED',
  'WORKSPACE_FAILED',
  'WORKING_DIRECTORY_INVALID',
  'SETUP_FAILED',
  'AGENT_START_FAILED',
  'AGENT_FAILED',
  'AGENT_NO_RESULT',
  'BUDGET_EXCEEDED',
  'MAX_TURNS',
  'WORKER_LOST',
  'DEPENDENCY_FAILED',
  'DEPENDENCY_CYCLE',
  'TIMEOUT',
  'CANCELLED',
  'UNAVAILABLE',
  /** Redis is reachable but unfit for Claudine (e.g. a maxmemory-policy other than noeviction). */
  'REDIS_MISCONFIGURED',
  /** No valid bearer token (tokens are configured). */
  'UNAUTHENTICATED',
  /** A valid token that may not do this (an admin-only call). */
  'PERMISSION_DENIED',
  'CONFIG_INVALID',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppErrorOptions {
  cause?: unknown;
  /** Structured context, safe to show to the caller (never secrets). */
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  static is(error: unknown, code?: ErrorCode): error is AppError {
    return error instanceof AppError && (code === undefined || error.code === code);
  }
}

/** Reports an unhandled member of a union at compile time, and throws if one slips through at run time. */
export function assertNever(value: never, what = 'value'): never {
  throw new AppError('INTERNAL', `unexpected ${what}: ${JSON.stringify(value)}`);
}

/** A readable message from anything thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
