import { spawn, type ChildProcess } from 'node:child_process';
import type { HostNetwork } from './host-network';

const OUTPUT_TAIL_CHARS = 8_000;

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A process started on one host (`ip netns exec`, which becomes the command itself), as the
 * leader of its own process group. Its output is kept (the tail) for failure messages.
 */
export class HostProcess {
  readonly exited: Promise<ProcessExit>;
  private tail = '';

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    const record = (chunk: Buffer): void => {
      this.tail = (this.tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', record);
    child.stderr?.on('data', record);
    child.once('error', (error) => record(Buffer.from(`spawn error: ${error.message}\n`)));
  }

  static start(
    network: HostNetwork,
    host: string,
    name: string,
    command: string,
    args: readonly string[],
    env: Record<string, string>,
  ): HostProcess {
    const [ip, ipArgs] = network.commandOn(host, command, args);
    const child = spawn(ip, ipArgs, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    return new HostProcess(name, child);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} did not start: ${this.tail}`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get output(): string {
    return this.tail;
  }

  /** Signals the process itself (not its group: a worker's agents are groups of their own). */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGKILL, resolving once it is gone; the time of the kill. */
  async kill(): Promise<number> {
    const at = Date.now();
    this.signal('SIGKILL');
    await this.exited;
    return at;
  }

  /** Drops the pipes, so a process outliving the test keeps nothing of this one open. */
  detach(): void {
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
  }
}
