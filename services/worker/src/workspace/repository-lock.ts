import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

const STALE_AFTER_MS = 60_000;
const WAIT_DEADLINE_MS = 60_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A lock across processes on one machine, held while a worker adds or removes worktrees of a
 * repository: git's own worktree commands read every worktree's metadata, and fail ("failed to
 * read .git/worktrees/<x>/commondir") when another process is half-way through creating one.
 *
 * The lock is a directory (mkdir is atomic) holding the owner's pid; a lock whose owner died, or
 * that is older than a minute, is broken.
 */
export async function withFileLock<T>(lockDir: string, action: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + WAIT_DEADLINE_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await isStale(lockDir)) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${lockDir}`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(5 + attempt * 5, 50)));
    }
  }
  try {
    await writeFile(path.join(lockDir, 'owner'), String(process.pid));
    return await action();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

async function isStale(lockDir: string): Promise<boolean> {
  const info = await stat(lockDir).catch(() => undefined);
  if (!info) return false;
  if (Date.now() - info.mtimeMs > STALE_AFTER_MS) return true;
  const owner = Number(await readFile(path.join(lockDir, 'owner'), 'utf8').catch(() => ''));
  // No owner yet: it is being taken right now.
  return owner > 0 && !isAlive(owner);
}
