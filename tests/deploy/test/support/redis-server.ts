import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { findFreePort, withDeadline } from '@claudine/testing';

/**
 * A redis-server child on loopback with the arguments a deployment file gives it, in a data
 * directory the test owns (it survives stop(), unlike the shared harness's): what a backup and a
 * restore work on.
 */
export class RedisServer {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly closed: Promise<void>,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** @param args the server's own arguments (the deployment's), without port, bind and dir */
  static async start(dataDir: string, args: string[]): Promise<RedisServer> {
    const port = await findFreePort();
    const child = spawn(
      'redis-server',
      [...args, '--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const server = new RedisServer(child, port, closed);
    const record = (chunk: Buffer): void => {
      server.output = (server.output + chunk.toString('utf8')).slice(-4_000);
    };
    child.stdout?.on('data', record);
    child.stderr?.on('data', record);
    const ready = new Promise<boolean>((resolve) => {
      const onData = (): void => {
        if (server.output.includes('Ready to accept connections')) {
          child.stdout?.removeListener('data', onData);
          resolve(true);
        }
      };
      child.stdout?.on('data', onData);
      void closed.then(() => resolve(false));
    });
    const started = await withDeadline(ready, 10_000, `redis-server on port ${port} ready`).catch(
      () => false,
    );
    if (!started) {
      await server.kill();
      throw new Error(`redis-server ${args.join(' ')} did not start:\n${server.output}`);
    }
    return server;
  }

  /** A connection of the test's own; the caller closes it. */
  connect(): Redis {
    // No reconnection: a server that went away ends the connection, and leaves no timer behind.
    return new Redis(this.port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null });
  }

  /** `SHUTDOWN` as an operator would (the AOF is flushed), then waits for the process to end. */
  async shutdown(): Promise<void> {
    const redis = this.connect();
    const ended = new Promise<void>((resolve) => redis.once('end', () => resolve()));
    await redis.call('SHUTDOWN').catch(() => undefined); // the connection closes under the reply
    await withDeadline(Promise.all([ended, this.closed]), 10_000, 'redis-server exits after SHUTDOWN');
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.closed;
  }
}
