import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';

/**
 * Claims the key for `holder` if nobody holds it, or extends it if `holder` already does.
 * KEYS[1] lease key; ARGV[1] holder id, ARGV[2] ttl ms. Returns 1 when held by `holder` after the call.
 */
const ACQUIRE = `
local current = redis.call('GET', KEYS[1])
if current == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/** Extends the key only while `holder` holds it (never re-creates an expired one). */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/** Deletes the key only while `holder` holds it: a late release never frees someone else's lease. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

interface LeaseCommands {
  claudineLeaseAcquire(key: string, holder: string, ttlMs: number): Promise<number>;
  claudineLeaseRenew(key: string, holder: string, ttlMs: number): Promise<number>;
  claudineLeaseRelease(key: string, holder: string): Promise<number>;
}

export interface LeaseOptions {
  /** A connection the lease may use; give it one of its own when a stuck command must not delay it. */
  redis: Redis;
  /** The lease key, e.g. `{p}:lease:coordinator` (Keyspace.coordinatorLease). */
  key: string;
  /** Who holds it: stored as the key's value, compared on every renew and release. */
  holderId: string;
  /** How long the lease outlives its last renewal. Renewed, and tried for, every ttlMs / 3. */
  ttlMs: number;
  /** Told about Redis errors while trying or renewing (they are retried on the next tick). */
  onError?: (error: unknown) => void;
}

export interface LeaseEvents {
  /** This holder now holds the lease. */
  acquired: [];
  /** This holder no longer holds it: a renew was refused, Redis was unreachable for too long, or stop(). */
  lost: [reason: string];
}

/**
 * A Redis lease: at most one holder at a time for the duties that must run once (see
 * docs/architecture.md, "Several coordinators and the lease").
 *
 * The key holds the holder's id with a TTL. A holder renews it every ttl/3 with a compare-and-set
 * on its id; everybody else tries to claim it (SET if absent) on the same beat. The holder counts
 * its lease as valid until `ttl` after it *sent* its last successful renew (a Redis server
 * receives the command later, so its key expires later still): when that time passes without a
 * renewal (Redis away, commands stuck), it stops believing it holds the lease and emits `lost`
 * before any other holder can have claimed the expired key. Clocks are not compared across
 * machines: only durations measured on one clock. Handover: within ttl/3 after a release; within
 * ttl + ttl/3 after a holder stops without releasing.
 */
export class Lease extends EventEmitter<LeaseEvents> {
  private heldUntilMs = 0;
  private isHeld = false;
  private timer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private running = false;
  private readonly commands: LeaseCommands;

  constructor(private readonly options: LeaseOptions) {
    super();
    if (!(options.ttlMs >= 30))
      throw new RangeError(`lease ttl must be at least 30 ms, got ${options.ttlMs}`);
    const { redis } = options;
    // defineCommand is idempotent per name: several leases on one connection share the scripts.
    redis.defineCommand('claudineLeaseAcquire', { numberOfKeys: 1, lua: ACQUIRE });
    redis.defineCommand('claudineLeaseRenew', { numberOfKeys: 1, lua: RENEW });
    redis.defineCommand('claudineLeaseRelease', { numberOfKeys: 1, lua: RELEASE });
    this.commands = redis as unknown as LeaseCommands;
  }

  /** Whether this holder holds the lease now, by its own clock (see the class comment). */
  get held(): boolean {
    return this.isHeld && Date.now() < this.heldUntilMs;
  }

  get holderId(): string {
    return this.options.holderId;
  }

  /** The connection it was given (the caller closes it, after stop()). */
  get connection(): Redis {
    return this.options.redis;
  }

  get ttlMs(): number {
    return this.options.ttlMs;
  }

  /** Who holds the lease according to Redis (undefined: nobody). */
  async currentHolder(): Promise<string | undefined> {
    return (await this.options.redis.get(this.options.key)) ?? undefined;
  }

  /** Starts trying for the lease; resolves once the first try settled (so a lone holder holds it at once). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.ticking = this.tick();
    await this.ticking;
    this.ticking = undefined;
    this.schedule();
  }

  /**
   * Stops trying and renewing. Releases the lease when held, unless `release` is false (used to
   * stand for a holder that died: the key then lives out its TTL).
   */
  async stop({ release = true }: { release?: boolean } = {}): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
    this.setLost('stopped');
    // Whether or not it counted as held (a claim may have landed as stop() began): the release
    // is a compare-and-delete on this holder's id, harmless when the key is someone else's.
    if (release) {
      await this.commands
        .claudineLeaseRelease(this.options.key, this.options.holderId)
        .catch((error: unknown) => this.options.onError?.(error));
    }
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(
      () => {
        this.ticking = this.tick().finally(() => {
          this.ticking = undefined;
          this.schedule();
        });
      },
      Math.max(10, Math.floor(this.options.ttlMs / 3)),
    );
  }

  private async tick(): Promise<void> {
    const { key, holderId, ttlMs } = this.options;
    const sentAtMs = Date.now();
    const wasHeld = this.held;
    try {
      const ok = wasHeld
        ? await this.commands.claudineLeaseRenew(key, holderId, ttlMs)
        : await this.commands.claudineLeaseAcquire(key, holderId, ttlMs);
      if (!this.running) return;
      if (ok === 1) this.setHeld(sentAtMs + ttlMs);
      else if (wasHeld) this.setLost('renew refused: another holder has the lease');
    } catch (error) {
      // Still held until heldUntilMs passes: the expiry timer emits `lost` then.
      this.options.onError?.(error);
    }
  }

  private setHeld(untilMs: number): void {
    this.heldUntilMs = untilMs;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = setTimeout(
      () => this.setLost('not renewed within the ttl (Redis unreachable or slow)'),
      Math.max(0, untilMs - Date.now()),
    );
    if (!this.isHeld) {
      this.isHeld = true;
      this.emit('acquired');
    }
  }

  private setLost(reason: string): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.heldUntilMs = 0;
    if (this.isHeld) {
      this.isHeld = false;
      this.emit('lost', reason);
    }
  }
}
