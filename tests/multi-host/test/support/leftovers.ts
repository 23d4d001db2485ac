import { execFileSync } from 'node:child_process';

/**
 * Finding and removing the hosts a test process made, synchronously, so it also works from a
 * process 'exit' handler. Namespaces are named `clmh-<pid>-<run id>-<host>` and their bridge
 * `clb<run id><pid % 1000>`: the pid says whose they are.
 */

export const NAMESPACE_PREFIX = 'clmh-';
const COMMAND_TIMEOUT_MS = 10_000;

export function runSync(command: string, args: readonly string[]): string {
  return execFileSync(command, args, { timeout: COMMAND_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim();
}

export function bridgeName(runId: string, pid: number): string {
  return `clb${runId}${pid % 1000}`;
}

export function namespaceName(pid: number, runId: string, host: string): string {
  return `${NAMESPACE_PREFIX}${pid}-${runId}-${host}`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** SIGKILLs everything inside a namespace, then deletes it (its veth pair goes with it). */
export function removeNamespaceSync(namespace: string): void {
  try {
    for (const line of runSync('ip', ['netns', 'pids', namespace]).split('\n')) {
      if (line !== '') killQuietly(Number(line));
    }
  } catch {
    // No such namespace.
  }
  try {
    runSync('ip', ['netns', 'del', namespace]);
  } catch {
    // No such namespace.
  }
}

/**
 * Removes the namespaces and bridges of the test processes `owned` selects by pid: by default
 * those whose process is gone (a run killed outright cannot clean up after itself).
 */
export function removeLeftoverNetworks(owned: (pid: number) => boolean = (pid) => !pidAlive(pid)): void {
  let listing: string;
  try {
    listing = runSync('ip', ['netns', 'list']);
  } catch {
    return;
  }
  const bridges = new Set<string>();
  for (const line of listing.split('\n')) {
    const namespace = line.split(' ')[0] ?? '';
    const match = /^clmh-(\d+)-([0-9a-f]{4})-/.exec(namespace);
    if (!match || !owned(Number(match[1]))) continue;
    removeNamespaceSync(namespace);
    bridges.add(bridgeName(match[2]!, Number(match[1])));
  }
  for (const bridge of bridges) {
    try {
      runSync('ip', ['link', 'del', bridge]);
    } catch {
      // Already gone.
    }
  }
}
