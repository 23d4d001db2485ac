import { ClusterClient, type ConnectOptions } from '@claudine/proto';

/**
 * The gRPC calls the tools make. The stdio gateway and the coordinator's /mcp endpoint both give
 * the tools a {@link ClusterClient} (the coordinator's, forwarding its caller's token); tests
 * may give anything of this shape.
 */
export type ClaudineBackend = Pick<
  ClusterClient,
  | 'address'
  | 'delegate'
  | 'get'
  | 'list'
  | 'cancel'
  | 'retry'
  | 'resume'
  | 'watch'
  | 'listWorkers'
  | 'scheduleTask'
  | 'getSchedule'
  | 'listSchedules'
  | 'changeSchedule'
>;

/** Where the coordinator is and how to reach it. */
export interface GrpcBackendOptions {
  /** host:port of the coordinator's gRPC API. */
  address: string;
  /** Sent as `authorization: Bearer <token>` on every call. */
  token?: string;
  /** TLS files (PEM); without `caFile` the channel is plaintext. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string; serverName?: string };
}

/**
 * A backend over gRPC: the project's client. Close it with `close()`.
 * @throws AppError INVALID_ARGUMENT when a TLS file cannot be read
 */
export function createGrpcBackend(options: GrpcBackendOptions): ClaudineBackend & { close(): void } {
  const connect: ConnectOptions = {
    token: options.token,
    tlsCaFile: options.tls?.caFile,
    tlsCertFile: options.tls?.certFile,
    tlsKeyFile: options.tls?.keyFile,
    tlsServerName: options.tls?.serverName,
  };
  return ClusterClient.connect(options.address, connect);
}
