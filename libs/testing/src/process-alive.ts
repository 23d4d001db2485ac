import { readFileSync } from 'node:fs';

/**
 * Whether a process still runs. A zombie (exited, not yet reaped by its parent: often init, for
 * orphans) counts as gone: `kill(pid, 0)` alone would still find it.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    // No /proc (not Linux), or it ended meanwhile: kill(pid, 0) has the last word.
    return true;
  }
}
