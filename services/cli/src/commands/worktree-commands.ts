import { z } from 'zod';
import { formatByteSize, parseByteSize, parseDuration } from '@claudine/core';
import type { ClusterClient, WorktreeCollection, WorktreeInfo } from '../client/cluster-client';
import { parseFlags } from '../flags';
import { EXIT, print, printJson } from '../output';

/** How long ago, coarsely: "45s", "12m", "5h30m", "3d4h". */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours}h${minutes % 60}m` : `${hours}h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days}d${hours % 24}h` : `${days}d`;
}

const NOT_ZERO = "0 would mean the worker's configured limit: leave the option out for that";

export const WorktreesListFlagsSchema = z.object({
  worker: z.string().min(1, 'is empty').optional(),
  json: z.boolean().default(false),
});
export type WorktreesListFlags = z.input<typeof WorktreesListFlagsSchema>;

/** The flags of `claudine worktrees gc`, validated before anything is sent. */
export const WorktreesGcFlagsSchema = z.object({
  worker: z.string().min(1, 'is empty').optional(),
  maxAge: z
    .string()
    .transform((text, ctx) => {
      try {
        return parseDuration(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (examples: 12h, 3d, 1d12h)` });
        return z.NEVER;
      }
    })
    .pipe(z.number().min(1, NOT_ZERO))
    .optional(),
  maxCount: z
    .string()
    .regex(/^\d+$/, 'must be a whole number, 1 or more')
    .transform(Number)
    .pipe(z.number().min(1, NOT_ZERO).max(4_294_967_295, 'is too large'))
    .optional(),
  maxSize: z
    .string()
    .transform((text, ctx) => {
      const bytes = parseByteSize(text);
      if (bytes === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a size (examples: 500M, 5G, 1T)` });
        return z.NEVER;
      }
      return bytes;
    })
    .pipe(z.number().min(1, NOT_ZERO))
    .optional(),
  dryRun: z.boolean().default(false),
  json: z.boolean().default(false),
});
export type WorktreesGcFlags = z.input<typeof WorktreesGcFlagsSchema>;

/** `claudine worktrees list`: the kept worktrees of the live workers, as a table. */
export async function worktreesListCommand(
  client: ClusterClient,
  rawFlags: WorktreesListFlags,
): Promise<number> {
  const flags = parseFlags(WorktreesListFlagsSchema, rawFlags);
  const listing = await client.listWorktrees(flags.worker ?? '');
  if (flags.json) {
    printJson(listing);
    return EXIT.ok;
  }
  if (listing.worktrees.length === 0) print('no kept worktrees');
  else print(formatWorktreeTable(listing.worktrees));
  for (const workerId of listing.workersWithoutInventory) print(`${workerId}: no inventory reported yet`);
  return EXIT.ok;
}

/**
 * `claudine worktrees gc`: asks the workers to collect now, with the given limits (each worker's
 * configured ones otherwise). Exits 3 when a worker did not answer or could not collect.
 */
export async function worktreesGcCommand(client: ClusterClient, rawFlags: WorktreesGcFlags): Promise<number> {
  const flags = parseFlags(WorktreesGcFlagsSchema, rawFlags);
  const collections = await client.collectWorktrees({
    workerId: flags.worker,
    maxAgeMs: flags.maxAge,
    maxCount: flags.maxCount,
    maxTotalBytes: flags.maxSize,
    dryRun: flags.dryRun,
  });
  if (flags.json) printJson(collections);
  else if (collections.length === 0) print('no live workers');
  else for (const collection of collections) print(formatCollection(collection, flags.dryRun));
  return collections.some((collection) => collection.error !== '') ? EXIT.unavailable : EXIT.ok;
}

export function formatWorktreeTable(worktrees: readonly WorktreeInfo[], nowMs = Date.now()): string {
  const header = ['WORKER', 'TASK', 'BRANCH', 'SIZE', 'AGE', 'IN USE', 'PATH'];
  const rows = [
    header,
    ...worktrees.map((worktree) => [
      worktree.workerId,
      worktree.taskId,
      worktree.branch || '-',
      formatByteSize(worktree.sizeBytes),
      formatAge(nowMs - worktree.modifiedAtMs),
      worktree.inUse ? 'yes' : 'no',
      worktree.path,
    ]),
  ];
  const widths = header.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  '),
    )
    .join('\n');
}

export function formatCollection(
  collection: WorktreeCollection,
  dryRun: boolean,
  nowMs = Date.now(),
): string {
  if (collection.error) return `${collection.workerId}: ${collection.error}`;
  const verb = dryRun ? 'would remove' : 'removed';
  const lines = [
    `${collection.workerId}: ${verb} ${collection.removed.length} worktree${collection.removed.length === 1 ? '' : 's'}` +
      ` (${formatByteSize(collection.freedBytes)}), ${collection.kept} kept`,
  ];
  for (const worktree of collection.removed) {
    lines.push(
      `  ${worktree.taskId}  ${worktree.branch || '-'}  ${formatByteSize(worktree.sizeBytes)}  ${formatAge(nowMs - worktree.modifiedAtMs)} old`,
    );
  }
  return lines.join('\n');
}
