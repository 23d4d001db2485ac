import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { AppError } from '@claudine/core';

/** The coordinator's TLS files (CLAUDINE_TLS_*). */
export interface ServerTlsConfig {
  certFile: string;
  keyFile: string;
  /** When set, every client must present a certificate signed by this CA. */
  clientCaFile?: string;
}

function read(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new AppError(
      'CONFIG_INVALID',
      `invalid configuration: ${variable}: cannot read ${file} (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/**
 * The gRPC server's credentials: TLS when configured (client certificates required and checked
 * when a client CA is given), otherwise plaintext.
 * @throws AppError CONFIG_INVALID when a file cannot be read
 */
export function serverCredentials(tls: ServerTlsConfig | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  const clientCa = tls.clientCaFile ? read('CLAUDINE_TLS_CLIENT_CA_FILE', tls.clientCaFile) : null;
  return grpc.ServerCredentials.createSsl(
    clientCa,
    [
      {
        cert_chain: read('CLAUDINE_TLS_CERT_FILE', tls.certFile),
        private_key: read('CLAUDINE_TLS_KEY_FILE', tls.keyFile),
      },
    ],
    clientCa !== null,
  );
}
