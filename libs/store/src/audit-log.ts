import type { Redis } from 'ioredis';
import type { Keyspace } from './keyspace';

/** One mutating call, as the audit trail keeps it. */
export interface AuditEntry {
  /** The stream entry id (`<ms>-<seq>`); empty before it is written. */
  id: string;
  timeMs: number;
  tokenName: string;
  tenant: string;
  /** `TaskService/Cancel`, `ScheduleService/PauseSchedule`, ... */
  method: string;
  /** The task, schedule or worker concerned; empty when a creation failed. */
  target: string;
  /** `OK` or the error code. */
  outcome: string;
  peer: string;
}

export interface AuditLogOptions {
  /** The stream is trimmed (approximately) to this many entries. @default 100000 */
  maxEntries?: number;
}

export const DEFAULT_AUDIT_MAX_ENTRIES = 100_000;
const FIELDS = ['tokenName', 'tenant', 'method', 'target', 'outcome', 'peer'] as const;

/**
 * The audit trail: a Redis stream (`{p}:audit`), appended with XADD and an approximate MAXLEN, so
 * it costs a bounded amount of memory; read newest first with XREVRANGE.
 */
export class AuditLog {
  private readonly maxEntries: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
    options: AuditLogOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? DEFAULT_AUDIT_MAX_ENTRIES;
  }

  /** Appends one entry; its time is the stream id's (Redis's clock). @returns the entry id */
  async append(entry: Omit<AuditEntry, 'id' | 'timeMs'>): Promise<string> {
    const fields = FIELDS.flatMap((field) => [field, entry[field]]);
    const id = await this.redis.xadd(this.keys.audit, 'MAXLEN', '~', this.maxEntries, '*', ...fields);
    return id ?? '';
  }

  /**
   * The newest entries first, at or after `sinceMs`, of one tenant or all. Reads in batches and
   * filters, so a tenant's `limit` entries are found among the others'.
   */
  async list(input: { sinceMs: number; limit: number; tenant?: string }): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    const min = input.sinceMs > 0 ? String(input.sinceMs) : '-';
    let max = '+';
    const batch = Math.max(input.limit, 200);
    for (;;) {
      const rows = await this.redis.xrevrange(this.keys.audit, max, min, 'COUNT', batch);
      for (const [id, flat] of rows) {
        const entry = decode(id, flat);
        if (input.tenant === undefined || entry.tenant === input.tenant) entries.push(entry);
        if (entries.length === input.limit) return entries;
      }
      const last = rows.at(-1);
      if (rows.length < batch || !last) return entries;
      max = `(${last[0]}`;
    }
  }
}

function decode(id: string, flat: string[]): AuditEntry {
  const values: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) values[flat[i] as string] = flat[i + 1] as string;
  return {
    id,
    timeMs: Number(id.split('-')[0]),
    tokenName: values.tokenName ?? '',
    tenant: values.tenant ?? '',
    method: values.method ?? '',
    target: values.target ?? '',
    outcome: values.outcome ?? '',
    peer: values.peer ?? '',
  };
}
