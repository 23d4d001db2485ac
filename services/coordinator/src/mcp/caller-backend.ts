import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createClaudineMcpServer } from '@claudine/mcp';
import { ClusterClient } from '@claudine/proto';
import type { InternalChannel } from '../security/internal-channel';
import type { McpCaller, McpRequestServer } from './mcp-http-server';

/** This package's version, given to MCP clients at initialisation. */
const VERSION = (
  JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }
).version;

/**
 * The MCP server of one /mcp request: the one definition of the tools (@claudine/mcp), over a
 * gRPC backend that dials this coordinator's internal socket with the caller's bearer token, so
 * the request is authenticated, scoped to its tenant and audited by the gRPC handlers exactly as
 * a gRPC call would be. No defaults: unlike the stdio gateway, the coordinator has no working
 * directory of the caller's to take a repository from.
 */
export function mcpServerActingAs(
  internal: InternalChannel,
  caller: McpCaller,
  progressIntervalMs: number,
): McpRequestServer {
  // The project's gRPC client is the backend (`createGrpcBackend` is this, minus the metadata).
  const backend = ClusterClient.connect(internal.address, {
    token: caller.token,
    metadata: internal.metadataFor(caller.peer),
  });
  return {
    server: createClaudineMcpServer({
      backend,
      defaults: {},
      name: 'claudine',
      version: VERSION,
      progressIntervalMs,
    }),
    close: () => {
      backend.close();
      return Promise.resolve();
    },
  };
}
