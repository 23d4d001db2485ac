import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { ProcessTree } from './process-tree';

/** How often the descendants of a running agent are looked up, to be able to stop them all. */
const TREE_SCAN_INTERVAL_MS = 1_000;

/**
 * A child process in a process group of its own, so that stopping it also stops everything
 * it started (shells, test runners, `sleep`s), including what left the group: its descendants
 * are tracked too (see ProcessTree). Stop sends SIGTERM to all of them, then SIGKILL after a
 * grace period unless the leader has exited; the escalation is tracked by our own `exited` flag,
 * not by `child.killed` (which Node sets as soon as any signal is sent). When the leader exits,
 * whatever it left running is killed.
 */
export class ProcessGroup {
  readonly child: ChildProcess;
  private exited = false;
  private escalation: NodeJS.Timeout | undefined;
  private readonly tree: ProcessTree | undefined;
  private readonly scanTimer: NodeJS.Timeout | undefined;
  readonly done: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; error?: Error }>;

  constructor(command: string, args: readonly string[], options: Omit<SpawnOptions, 'detached' | 'shell'>) {
    this.child = spawn(command, args, { ...options, detached: true, shell: false });
    if (this.child.pid !== undefined) {
      const tree = new ProcessTree(this.child.pid);
      this.tree = tree;
      this.scanTimer = setInterval(() => tree.scan(), TREE_SCAN_INTERVAL_MS);
    }
    this.done = new Promise((resolve) => {
      let spawnError: Error | undefined;
      this.child.once('error', (error) => {
        spawnError = error;
        // A process that never started emits no 'close'.
        if (this.child.pid === undefined) {
          this.exited = true;
          if (this.scanTimer) clearInterval(this.scanTimer);
          resolve({ exitCode: null, signal: null, error });
        }
      });
      this.child.once('exit', () => {
        this.exited = true;
        if (this.escalation) clearTimeout(this.escalation);
        if (this.scanTimer) clearInterval(this.scanTimer);
        this.tree?.signal('SIGKILL');
        // The leader is gone; nothing it left behind in its group may outlive it (and hold
        // its stdout open, which would keep 'close' from ever coming).
        this.signalGroup('SIGKILL');
      });
      this.child.once('close', (exitCode, signal) => {
        this.exited = true;
        if (this.escalation) clearTimeout(this.escalation);
        if (this.scanTimer) clearInterval(this.scanTimer);
        resolve({ exitCode, signal, error: spawnError });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGTERM to the group now, SIGKILL after `graceMs` if the leader is still there. */
  stop(graceMs: number): void {
    if (this.exited) return;
    this.tree?.scan();
    this.signalGroup('SIGTERM');
    this.tree?.signal('SIGTERM');
    if (!this.escalation) {
      this.escalation = setTimeout(() => {
        if (this.exited) return;
        this.tree?.scan();
        this.signalGroup('SIGKILL');
        this.tree?.signal('SIGKILL');
      }, graceMs);
    }
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  }
}
