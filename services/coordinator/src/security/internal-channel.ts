import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type * as grpc from '@grpc/grpc-js';

/** Metadata key of the per-process secret that marks a call as the coordinator's own. */
const SECRET_KEY = 'claudine-internal-secret';
/** Metadata key of the address of the client an internal call acts for. */
const FORWARDED_PEER_KEY = 'claudine-forwarded-peer';

/**
 * The coordinator's own way into its gRPC API, for the MCP endpoint: an extra, plaintext listener
 * of the same gRPC server on a Unix socket in a private directory (mode 0700, removed at close).
 *
 * Why not the public address: that one may be bound to an interface other than loopback, may
 * want TLS with a client certificate the coordinator does not hold, and its certificate may not
 * name 127.0.0.1. Through this socket the MCP endpoint reaches the very same handlers, with the
 * caller's bearer token forwarded: tokens, tenancy, admin checks and the audit trail apply exactly
 * as to a gRPC client.
 *
 * An internal call also names the HTTP client it acts for, so the audit trail shows where the
 * call came from rather than the socket; that name is believed only next to a 32-byte secret that
 * never leaves this process.
 */
export class InternalChannel {
  private constructor(
    private readonly directory: string,
    private readonly secret: Buffer,
  ) {}

  static async create(): Promise<InternalChannel> {
    // mkdtemp makes the directory 0700: only this user can reach the socket.
    const directory = await mkdtemp(path.join(os.tmpdir(), 'claudine-coordinator-'));
    return new InternalChannel(directory, randomBytes(32));
  }

  /** The gRPC address to bind and to dial (`unix:/.../grpc.sock`). */
  get address(): string {
    return `unix:${path.join(this.directory, 'grpc.sock')}`;
  }

  /** The metadata an internal call carries, acting for the client at `peer`. */
  metadataFor(peer: string): Record<string, string> {
    return { [SECRET_KEY]: this.secret.toString('hex'), [FORWARDED_PEER_KEY]: peer };
  }

  /** The peer an internal call acts for; undefined for any other call (or a wrong secret). */
  forwardedPeer(metadata: grpc.Metadata): string | undefined {
    const secret = metadata.get(SECRET_KEY)[0];
    const peer = metadata.get(FORWARDED_PEER_KEY)[0];
    if (typeof secret !== 'string' || typeof peer !== 'string') return undefined;
    const given = Buffer.from(secret, 'hex');
    if (given.length !== this.secret.length || !timingSafeEqual(given, this.secret)) return undefined;
    return peer;
  }

  async close(): Promise<void> {
    await rm(this.directory, { recursive: true, force: true });
  }
}
