import { removeLeftoverNetworks } from './leftovers';

/**
 * Runs in Jest's own process, where `process` is the real one (inside a test file it is a
 * sandboxed copy whose 'exit' and signal listeners never fire). The guard removes the hosts of
 * this process tree when it ends in any way: the suite's afterAll normally has already.
 */
export default function globalSetup(): void {
  removeLeftoverNetworks();
  const ours = new Set([process.pid]);
  // Test files run in this process (one file: in band) or in Jest's worker children, which are
  // gone by the time this process exits: theirs are then leftovers too.
  const removeOurs = (): void => removeLeftoverNetworks((pid) => ours.has(pid) || !isAlive(pid));
  process.once('exit', removeOurs);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      removeOurs();
      // Die of the same signal, as without this handler.
      process.kill(process.pid, signal);
    });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
