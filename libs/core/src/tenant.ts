import { z } from 'zod';

/** The tenant of everything made without tokens configured (and of records written before tenancy). */
export const DEFAULT_TENANT = 'default';

/** A tenant name: what a token belongs to, and what every task and schedule records. */
export const TenantSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,62}$/i,
    'must be 1 to 63 letters, digits, dots, dashes or underscores, starting with a letter or digit',
  );

/**
 * Who makes a call, as the coordinator's use cases see it: the tenant whose work it may see and
 * change, and whether it may see every tenant's (an admin token, or no tokens configured).
 */
export interface Caller {
  tenant: string;
  admin: boolean;
  /** The token's name (`anonymous` when no tokens are configured; `system` for the coordinator's own work). */
  tokenName: string;
  /** The caller's address, as the server saw it. */
  peer: string;
}

/** The coordinator itself (schedule fires, internal checks): admin of the default tenant. */
export const SYSTEM_CALLER: Caller = Object.freeze({
  tenant: DEFAULT_TENANT,
  admin: true,
  tokenName: 'system',
  peer: 'local',
});

/** Whether a caller may see something owned by a tenant. */
export function canSee(caller: Caller, tenant: string): boolean {
  return caller.admin || caller.tenant === tenant;
}
