import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface OpsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Extra Prometheus text appended to /metrics (for example BullMQ's queue metrics). */
  extraMetrics?: () => Promise<string>;
  /** Resolves when the process can serve (dependencies reachable); rejects with the reason otherwise. */
  readiness: () => Promise<void>;
  /**
   * Decides whether a /metrics request may read (given its Authorization header); absent: open.
   * /healthz and /readyz stay open, for probes that carry no credentials.
   */
  authorizeMetrics?: (authorization: string | undefined) => boolean;
}

export interface OpsServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * An `authorizeMetrics` that accepts exactly `Authorization: Bearer <token>`, compared as SHA-256
 * digests in constant time.
 */
export function bearerTokenAuthorizer(token: string): (authorization: string | undefined) => boolean {
  const expected = createHash('sha256').update(token, 'utf8').digest();
  return (authorization) => {
    const presented = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (presented === undefined) return false;
    return timingSafeEqual(createHash('sha256').update(presented, 'utf8').digest(), expected);
  };
}

/** `/healthz` (the process is up), `/readyz` (it can serve) and `/metrics` (Prometheus). */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server = http.createServer((request, response) => {
    void handle(request.url ?? '/', request.headers.authorization, response, options);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  url: string,
  authorization: string | undefined,
  response: http.ServerResponse,
  options: OpsServerOptions,
): Promise<void> {
  const path = url.split('?')[0];
  try {
    if (path === '/healthz') {
      reply(response, 200, 'text/plain', 'ok\n');
    } else if (path === '/readyz') {
      try {
        await options.readiness();
        reply(response, 200, 'text/plain', 'ready\n');
      } catch (error) {
        reply(
          response,
          503,
          'text/plain',
          `not ready: ${error instanceof Error ? error.message : String(error)}\n`,
        );
      }
    } else if (path === '/metrics') {
      if (options.authorizeMetrics && !options.authorizeMetrics(authorization)) {
        response.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' });
        response.end('a valid bearer token is required\n');
        return;
      }
      const own = await options.registry.metrics();
      const extra = options.extraMetrics ? await options.extraMetrics() : '';
      reply(response, 200, options.registry.contentType, extra ? `${own}\n${extra}\n` : own);
    } else {
      reply(response, 404, 'text/plain', 'not found\n');
    }
  } catch (error) {
    reply(response, 500, 'text/plain', `error: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

function reply(response: http.ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType });
  response.end(body);
}
