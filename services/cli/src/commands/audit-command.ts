import { z } from 'zod';
import { TenantSchema } from '@claudine/core';
import type { ClusterClient } from '../client/cluster-client';
import { parseFlags } from '../flags';
import { EXIT, print, printJson } from '../output';
import { parseSince } from './task-commands';

/** The flags of `claudine audit`, validated before anything is sent. */
export const AuditFlagsSchema = z.object({
  since: z
    .string()
    .transform((text, ctx) => {
      const time = parseSince(text);
      if (time === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `"${text}" is neither a duration (1h, 2d) nor an ISO 8601 time (2025-01-31T12:00:00Z)`,
        });
        return z.NEVER;
      }
      return time;
    })
    .optional(),
  limit: z
    .string()
    .regex(/^\d+$/, 'must be a whole number between 1 and 1000')
    .transform(Number)
    .pipe(z.number().min(1, 'must be between 1 and 1000').max(1_000, 'must be between 1 and 1000'))
    .default(100),
  tenant: TenantSchema.optional(),
  json: z.boolean().default(false),
});
export type AuditFlags = z.input<typeof AuditFlagsSchema>;

/** `claudine audit`: one line per entry, newest first. */
export async function auditCommand(client: ClusterClient, rawFlags: AuditFlags): Promise<number> {
  const flags = parseFlags(AuditFlagsSchema, rawFlags);
  const entries = await client.listAudit({
    sinceMs: flags.since ?? 0,
    limit: flags.limit,
    tenant: flags.tenant,
  });
  if (flags.json) {
    printJson(entries);
    return EXIT.ok;
  }
  if (entries.length === 0) print('no audit entries');
  for (const entry of entries) {
    print(
      [
        new Date(Number(entry.timeMs)).toISOString(),
        `${entry.tokenName}@${entry.tenant}`,
        entry.method,
        entry.target || '-',
        entry.outcome,
        entry.peer,
      ].join('  '),
    );
  }
  return EXIT.ok;
}
