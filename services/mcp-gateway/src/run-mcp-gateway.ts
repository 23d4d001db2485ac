import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { errorMessage } from '@claudine/core';
import { createClaudineMcpServer, createGrpcBackend, type GrpcBackendOptions } from '@claudine/mcp';
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from '@claudine/observability';
import { repositoryDefaults } from './repository-defaults';

export interface McpGatewayOptions extends GrpcBackendOptions {
  /** Where DelegateTask's default repository is looked for. @default process.cwd() */
  cwd?: string;
  /** The protocol's streams. @default process.stdin, process.stdout */
  stdin?: Readable;
  stdout?: Writable;
  /** Logs go to stderr only: stdout is the protocol. @default a pino logger on stderr */
  logger?: Logger;
  /** Reported to the client in `initialize`. */
  version?: string;
}

export interface McpGateway {
  /** Resolves once stdin has closed and everything is shut down. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * The stdio MCP server: every Claudine tool, forwarded to the coordinator at `address` over
 * gRPC. DelegateTask defaults to the git repository of `cwd` and its current branch. Runs until
 * stdin ends (the client went away) or `close()`.
 * @throws AppError INVALID_ARGUMENT when a TLS file cannot be read
 */
export async function runMcpGateway(options: McpGatewayOptions): Promise<McpGateway> {
  const level = (LOG_LEVELS as readonly string[]).includes(process.env.LOG_LEVEL ?? '')
    ? (process.env.LOG_LEVEL as LogLevel)
    : 'info';
  const logger = options.logger ?? createLogger({ name: 'claudine-mcp', level, destination: process.stderr });
  const cwd = options.cwd ?? process.cwd();
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const backend = createGrpcBackend(options);
  const defaults = await repositoryDefaults(cwd);
  logger.info(
    {
      address: options.address,
      tls: options.tls?.caFile !== undefined,
      repository: defaults.repository,
      baseRef: defaults.baseRef,
    },
    'Claudine MCP server on stdio',
  );
  const server = createClaudineMcpServer({ backend, defaults, name: 'claudine', version: options.version });
  const transport = new StdioServerTransport(stdin, stdout);
  transport.onerror = (error) => logger.warn({ err: errorMessage(error) }, 'MCP transport error');

  let closing: Promise<void> | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stdin.off('end', onEnd);
      stdin.off('close', onEnd);
      // The server first: it aborts the requests in flight (a WaitForTask), then the channel.
      await server.close().catch(() => undefined);
      backend.close();
      logger.info('Claudine MCP server closed');
      resolveClosed();
    })();
    return closing;
  };
  const onEnd = (): void => void close();
  stdin.once('end', onEnd);
  stdin.once('close', onEnd);
  await server.connect(transport);
  return { closed, close };
}
