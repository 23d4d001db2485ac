import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { AppError } from '@claudine/core';
import type { Logger } from '@claudine/observability';
import { createMcpHttpMetrics } from '../metrics/coordinator-metrics';
import type { TokenAuthenticator } from '../security/api-tokens';

/** The path of the MCP endpoint. */
export const MCP_PATH = '/mcp';

/** Host names that always reach a loopback-bound endpoint (as the SDK's localhostHostValidation). */
const LOOPBACK_HOSTNAMES: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

const MISSING_TOKEN_MESSAGE = 'this endpoint requires a bearer token: send "Authorization: Bearer <token>"';

/** Who one MCP request acts for. */
export interface McpCaller {
  /** The bearer token to forward; absent when tokens are off. */
  token?: string;
  /** The HTTP client's address (for the audit trail). */
  peer: string;
}

/** An MCP server made for one request, and what to release after it. */
export interface McpRequestServer {
  server: McpServer;
  close(): Promise<void>;
}

export interface McpHttpServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /**
   * Host names allowed besides the loopback ones: in the Host header (checked when bound to
   * loopback or when this is not empty), and in an Origin header (always checked).
   */
  allowedHosts: readonly string[];
  /** Larger bodies get 413. */
  maxBodyBytes: number;
  /** The same bearer tokens as gRPC. */
  authenticator: TokenAuthenticator;
  /** Builds the MCP server of one request, acting as `caller`. */
  serverFor: (caller: McpCaller) => McpRequestServer;
  logger: Logger;
  /** Where claudine_mcp_http_* are registered. */
  metrics: Registry;
}

export interface RunningMcpHttpServer {
  /** `http://host:port/mcp`, the URL to give an MCP client. */
  readonly url: string;
  close(): Promise<void>;
}

/** `127.0.0.1`, `127.x.y.z`, `::1`, `localhost`. */
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

function hostnameOf(hostHeader: string): string | undefined {
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return undefined;
  }
}

/** A JSON-RPC error body, as the SDK's transport answers transport-level failures. */
function refuse(
  response: http.ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

/**
 * MCP over Streamable HTTP, stateless: every POST gets a new MCP server and transport, and
 * nothing outlives its response. So any coordinator behind one address can answer any request,
 * and progress notifications travel in the SSE response of the request they are about. GET (a
 * standalone notification stream) and DELETE (ending a session) are 405: there are no sessions.
 *
 * Before anything else: the path, the Host and Origin headers (DNS-rebinding protection), then the
 * bearer token (401 with `WWW-Authenticate: Bearer` when tokens are configured and it is missing
 * or wrong).
 */
export async function startMcpHttpServer(options: McpHttpServerOptions): Promise<RunningMcpHttpServer> {
  const configured = options.allowedHosts.map((host) => hostnameOf(host) ?? host);
  /** Names the Host header may carry; empty: any (bound elsewhere than loopback, none configured). */
  const allowedHosts = new Set([...configured, ...(isLoopback(options.host) ? LOOPBACK_HOSTNAMES : [])]);
  /** Names an Origin header may carry, whatever the bind address. */
  const allowedOrigins = new Set([...configured, ...LOOPBACK_HOSTNAMES]);
  /** The release of every request being served. */
  const open = new Set<() => Promise<void>>();
  const requests = createMcpHttpMetrics(options.metrics, () => open.size);

  /**
   * Why a request's Host or Origin is refused, or undefined when they are fine. Against DNS
   * rebinding: a page of evil.example whose name now resolves to 127.0.0.1 sends `Host:
   * evil.example` and `Origin: http://evil.example`. Only browsers send an Origin, and no page of
   * another origin can use this endpoint anyway (it sends no CORS headers), so a foreign Origin is
   * refused even when the Host is not checked (bound to 0.0.0.0, which includes loopback).
   */
  function rebindingRefusal(request: http.IncomingMessage): string | undefined {
    if (allowedHosts.size > 0) {
      const hostname = request.headers.host === undefined ? undefined : hostnameOf(request.headers.host);
      if (hostname === undefined) return 'a Host header is required';
      if (!allowedHosts.has(hostname))
        return `Host "${hostname}" is not allowed (CLAUDINE_MCP_ALLOWED_HOSTS)`;
    }
    const origin = request.headers.origin;
    if (origin === undefined) return undefined;
    const originHost = /^https?:\/\//.test(origin)
      ? hostnameOf(origin.replace(/^https?:\/\//, ''))
      : undefined;
    if (originHost === undefined || !allowedOrigins.has(originHost))
      return `Origin "${origin}" is not allowed (CLAUDINE_MCP_ALLOWED_HOSTS)`;
    return undefined;
  }

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    if ((request.url ?? '/').split('?')[0] !== MCP_PATH)
      return refuse(response, 404, `not found: use ${MCP_PATH}`);
    const refusal = rebindingRefusal(request);
    if (refusal !== undefined) return refuse(response, 403, refusal);
    // As the audit trail shows it: how the call came, and from where.
    const peer = `mcp-http:${request.socket.remoteAddress ?? 'unknown'}:${request.socket.remotePort ?? 0}`;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    try {
      const caller = options.authenticator.authenticate(request.headers.authorization, peer);
      options.logger.debug({ peer, tokenName: caller.tokenName }, 'mcp request');
    } catch (error) {
      if (!AppError.is(error, 'UNAUTHENTICATED')) throw error;
      options.logger.warn({ peer }, 'unauthenticated MCP request refused');
      if (bearer === undefined)
        return refuse(response, 401, MISSING_TOKEN_MESSAGE, { 'www-authenticate': 'Bearer' });
      return refuse(response, 401, 'the bearer token is not valid', {
        'www-authenticate': 'Bearer error="invalid_token"',
      });
    }
    if (request.method !== 'POST')
      return refuse(response, 405, 'this MCP endpoint is stateless: POST only', { allow: 'POST' });

    // Forwarded to the gRPC API, which checks it again and scopes the calls to its tenant.
    const served = options.serverFor({ token: options.authenticator.enabled ? bearer : undefined, peer });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      maxRequestBodySize: options.maxBodyBytes,
    });
    let released: Promise<void> | undefined;
    const release = (): Promise<void> =>
      (released ??= (async () => {
        // Closing the server aborts the tool calls still running (a WaitForTask of a client that left).
        await served.server.close().catch(() => undefined);
        await transport.close().catch(() => undefined);
        await served
          .close()
          .catch((error: unknown) => options.logger.warn({ err: error }, 'could not release an MCP request'));
        open.delete(release);
      })());
    open.add(release);
    response.on('close', () => void release());
    await served.server.connect(transport);
    await transport.handleRequest(request, response);
  }

  const server = http.createServer((request, response) => {
    response.on('close', () => requests.inc({ status: String(response.statusCode) }));
    handle(request, response).catch((error: unknown) => {
      options.logger.error({ err: error }, 'MCP request failed');
      if (!response.headersSent) refuse(response, 500, 'internal error');
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => options.logger.warn({ err: error }, 'MCP HTTP server error'));
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${port}${MCP_PATH}`,
    close: async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.all([...open].map((release) => release()));
      await stopped;
    },
  };
}
