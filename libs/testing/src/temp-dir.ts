import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  /** Canonical path (symlinks resolved), so it compares equal to what child processes report as cwd. */
  path: string;
  /** Deletes the directory and everything in it; safe to call twice. */
  remove(): Promise<void>;
}

export async function createTempDir(prefix: string): Promise<TempDir> {
  // realpath: on macOS tmpdir() is a symlink, and Claude Code keys sessions by the real cwd.
  const path = await realpath(await mkdtemp(join(tmpdir(), prefix)));
  return {
    path,
    remove: () => rm(path, { recursive: true, force: true, maxRetries: 3 }),
  };
}
