import { AppError, TenantSchema, parseOrThrow, type Caller } from '@claudine/core';
import type { AuditEntry, AuditLog } from '@claudine/store';

/**
 * The gRPC methods that change something: each call is appended to the audit stream with its
 * outcome, by the one unary wrapper in grpc-server.ts, so a method added there is audited by
 * being named here.
 */
export const MUTATING_METHODS: ReadonlySet<string> = new Set([
  'Delegate',
  'Cancel',
  'Retry',
  'Resume',
  'AddDependencies',
  'ScheduleTask',
  'UpdateSchedule',
  'PauseSchedule',
  'ResumeSchedule',
  'CancelSchedule',
  'DrainWorker',
  'CollectWorktrees',
]);

/**
 * Methods about the whole cluster rather than one tenant's work: an admin token only (every
 * token may call them when no tokens are configured, as everyone is admin then).
 */
export const ADMIN_METHODS: ReadonlySet<string> = new Set([
  'DrainWorker',
  'CollectWorktrees',
  'ListWorktrees',
]);

export function isMutating(method: string): boolean {
  return MUTATING_METHODS.has(method);
}

/** @throws AppError PERMISSION_DENIED for a cluster-wide method called with a tenant's token */
export function assertMayCall(caller: Caller, method: string): void {
  if (ADMIN_METHODS.has(method) && !caller.admin)
    throw new AppError('PERMISSION_DENIED', `${method} needs an admin token: it acts on the whole cluster`);
}

/** What a call was about: the id in its request, else the id of what it made. */
export function auditTarget(request: unknown, response: unknown): string {
  const fields = request as Record<string, unknown> | null;
  for (const key of ['taskId', 'scheduleId', 'workerId'] as const) {
    const value = fields?.[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  const made = response as { task?: { id?: unknown } | null; schedule?: { id?: unknown } | null } | null;
  const id = made?.task?.id ?? made?.schedule?.id;
  return typeof id === 'string' ? id : '';
}

export const AUDIT_LIST_LIMIT = { default: 100, max: 1_000 } as const;

/**
 * ListAudit: an admin reads every tenant's entries (or one tenant's, with `tenant`); anyone else
 * reads their own tenant's, whatever `tenant` says.
 * @throws AppError INVALID_ARGUMENT naming limit, since_ms or tenant
 */
export async function listAudit(
  audit: AuditLog,
  caller: Caller,
  input: { sinceMs: number; limit: number; tenant: string },
): Promise<AuditEntry[]> {
  const limit = input.limit === 0 ? AUDIT_LIST_LIMIT.default : input.limit;
  if (limit < 1 || limit > AUDIT_LIST_LIMIT.max)
    throw new AppError('INVALID_ARGUMENT', `limit: must be between 1 and ${AUDIT_LIST_LIMIT.max}`, {
      details: { fields: ['limit'] },
    });
  if (!Number.isInteger(input.sinceMs) || input.sinceMs < 0)
    throw new AppError('INVALID_ARGUMENT', 'since_ms: must be a time in epoch milliseconds, or 0', {
      details: { fields: ['since_ms'] },
    });
  const wanted = input.tenant === '' ? undefined : parseOrThrow(TenantSchema, input.tenant, 'tenant');
  const tenant = caller.admin ? wanted : caller.tenant;
  return audit.list({ sinceMs: input.sinceMs, limit, tenant });
}
