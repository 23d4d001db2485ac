import { readdirSync, readFileSync } from 'node:fs';

/** A process as seen in /proc: its parent, and its start time (to tell a reused pid apart). */
interface ProcessEntry {
  ppid: number;
  startTime: string;
}

function readProcesses(): Map<number, ProcessEntry> {
  const processes = new Map<number, ProcessEntry>();
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return processes;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: parse after its last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      processes.set(Number(name), { ppid: Number(fields[1]), startTime: fields[19] ?? '' });
    } catch {
      // The process ended while we looked.
    }
  }
  return processes;
}

/**
 * Remembers every process descended from a root, so that all of them can be stopped even when
 * they left the root's process group or session (Claude Code runs each Bash command in a session
 * of its own) or were orphaned when their parent exited. Linux only (/proc); elsewhere it knows
 * nothing and killing the process group is all there is.
 */
export class ProcessTree {
  private readonly known = new Map<number, string>();

  constructor(private readonly rootPid: number) {}

  /** Adds the root's current descendants to what is known. */
  scan(): void {
    const processes = readProcesses();
    const children = new Map<number, number[]>();
    for (const [pid, entry] of processes) {
      const siblings = children.get(entry.ppid) ?? [];
      siblings.push(pid);
      children.set(entry.ppid, siblings);
    }
    const queue = [this.rootPid, ...this.known.keys()];
    const seen = new Set<number>();
    while (queue.length > 0) {
      const pid = queue.pop() as number;
      if (seen.has(pid)) continue;
      seen.add(pid);
      for (const child of children.get(pid) ?? []) {
        const entry = processes.get(child);
        if (entry && !this.known.has(child)) this.known.set(child, entry.startTime);
        queue.push(child);
      }
    }
  }

  /** Sends a signal to every known descendant that is still the same process. */
  signal(signal: NodeJS.Signals): void {
    const processes = readProcesses();
    for (const [pid, startTime] of this.known) {
      if (processes.get(pid)?.startTime !== startTime) {
        this.known.delete(pid);
        continue;
      }
      try {
        process.kill(pid, signal);
      } catch {
        this.known.delete(pid);
      }
    }
  }
}
