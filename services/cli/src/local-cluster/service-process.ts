import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';

export interface ServiceProcessOptions {
  name: string;
  script: string;
  env: NodeJS.ProcessEnv;
  /** Receives each output line of the service, tagged with its name. */
  onLine(name: string, line: string, stream: 'stdout' | 'stderr'): void;
  onExit(name: string, code: number | null, signal: NodeJS.Signals | null): void;
}

/**
 * One service of the local cluster in its own Node process, restarted when it crashes (with a
 * growing delay), so that one crash takes nothing else down.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ServiceProcessOptions) {}

  start(): void {
    const { name, script, env } = this.options;
    // Detached: a Ctrl-C in the terminal reaches `up` alone, which then stops each service in order.
    const child = spawn(process.execPath, [script], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = child[stream];
      if (source)
        readline
          .createInterface({ input: source })
          .on('line', (line) => this.options.onLine(name, line, stream));
    }
    child.once('exit', (code, signal) => {
      this.options.onExit(name, code, signal);
      if (this.stopping) return;
      const delay = Math.min(1_000 * 2 ** this.restarts, 30_000);
      this.restarts++;
      this.restartTimer = setTimeout(() => this.start(), delay);
    });
  }

  /** SIGKILL now, no grace: for a second Ctrl-C. */
  kill(): void {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.child && this.child.exitCode === null && this.child.signalCode === null)
      this.child.kill('SIGKILL');
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
