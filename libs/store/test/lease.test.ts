import { onceEvent, startRedis, waitFor, type RedisHarness } from '@claudine/testing';
import type { Redis } from 'ioredis';
import { closeRedis, createRedisConnection, waitForRedis } from '../src/connection';
import { Lease } from '../src/lease';

const TTL_MS = 600;
/** Scheduling slack on a loaded 2-core machine, on top of the lease's own bounds. */
const SLACK_MS = 400;

describe('Lease', () => {
  let harness: RedisHarness;
  let admin: Redis;
  let key: string;
  const opened: { lease: Lease; redis: Redis }[] = [];

  beforeAll(async () => {
    harness = await startRedis();
    admin = createRedisConnection({ url: harness.url, role: 'producer', name: 'lease-test-admin' });
    await waitForRedis(admin);
  });
  afterAll(async () => {
    await closeRedis(admin);
    await harness.stop();
  });
  beforeEach(() => {
    key = `${harness.keyPrefix}:lease:${Math.random().toString(16).slice(2, 8)}`;
  });
  afterEach(async () => {
    for (const { lease, redis } of opened.splice(0)) {
      await lease.stop();
      await closeRedis(redis);
    }
  });

  async function startLease(holderId: string): Promise<{ lease: Lease; redis: Redis }> {
    const redis = createRedisConnection({ url: harness.url, role: 'producer', name: `lease-${holderId}` });
    await waitForRedis(redis);
    const lease = new Lease({ redis, key, holderId, ttlMs: TTL_MS });
    opened.push({ lease, redis });
    await lease.start();
    return { lease, redis };
  }

  const holders = (leases: Lease[]): Lease[] => leases.filter((lease) => lease.held);

  it('has exactly one holder among three, the one Redis names, through several renewals', async () => {
    const leases: Lease[] = [];
    for (const id of ['a', 'b', 'c']) leases.push((await startLease(id)).lease);
    const [holder] = await waitFor(() => holders(leases).length === 1 && holders(leases), {
      description: 'one holder',
    });
    expect(await admin.get(key)).toBe(holder!.holderId);
    // Sample for three ttls: never two holders, never a change of holder while it renews.
    const until = Date.now() + 3 * TTL_MS;
    await waitFor(
      () => {
        expect(holders(leases).map((lease) => lease.holderId)).toEqual([holder!.holderId]);
        return Date.now() >= until;
      },
      { description: 'three ttls with one holder', timeoutMs: 10 * TTL_MS, intervalMs: 20 },
    );
    expect(await admin.get(key)).toBe(holder!.holderId);
  });

  it('hands over within ttl/3 (plus slack) after the holder releases', async () => {
    const leases = [(await startLease('a')).lease, (await startLease('b')).lease];
    const holder = await waitFor(() => holders(leases)[0], { description: 'a holder' });
    const other = leases.find((lease) => lease !== holder)!;
    const acquired = onceEvent(other, 'acquired', 5_000);
    const releasedAt = Date.now();
    await holder.stop();
    expect(holder.held).toBe(false);
    await acquired;
    expect(Date.now() - releasedAt).toBeLessThan(TTL_MS / 3 + SLACK_MS);
    expect(await admin.get(key)).toBe(other.holderId);
  });

  it('passes on within ttl + ttl/3 when the holder stops without releasing', async () => {
    const leases = [(await startLease('a')).lease, (await startLease('b')).lease];
    const holder = await waitFor(() => holders(leases)[0], { description: 'a holder' });
    const other = leases.find((lease) => lease !== holder)!;
    const acquired = onceEvent(other, 'acquired', 5_000);
    const stoppedAt = Date.now();
    await holder.stop({ release: false });
    await acquired;
    const elapsed = Date.now() - stoppedAt;
    // Not before the key expired (no early steal), and not much after.
    expect(elapsed).toBeGreaterThanOrEqual(TTL_MS - TTL_MS / 3 - 50);
    expect(elapsed).toBeLessThan(TTL_MS + TTL_MS / 3 + SLACK_MS);
  });

  it('tells a holder cut off from Redis that it lost the lease before anyone else takes it', async () => {
    const a = await startLease('a');
    const b = await startLease('b');
    const holder = await waitFor(() => holders([a.lease, b.lease])[0], { description: 'a holder' });
    const [cut, other] = holder === a.lease ? [a, b] : [b, a];
    let lostAt = 0;
    let otherAcquiredAt = 0;
    cut.lease.once('lost', () => (lostAt = Date.now()));
    other.lease.once('acquired', () => (otherAcquiredAt = Date.now()));
    const cutAt = Date.now();
    // No reconnect: every renew now fails at once, as on a dead link.
    cut.redis.disconnect(false);
    await waitFor(() => lostAt > 0 && otherAcquiredAt > 0, {
      description: 'the cut holder to lose the lease and the other to take it',
      timeoutMs: 5_000,
    });
    expect(lostAt).toBeLessThanOrEqual(otherAcquiredAt);
    expect(lostAt - cutAt).toBeLessThanOrEqual(TTL_MS + SLACK_MS);
    expect(otherAcquiredAt - cutAt).toBeLessThan(TTL_MS + TTL_MS / 3 + SLACK_MS);
    expect(cut.lease.held).toBe(false);
  });

  it("never releases or renews someone else's lease", async () => {
    const { lease } = await startLease('a');
    await waitFor(() => lease.held, { description: 'a to hold the lease' });
    // As if a's lease had expired and another holder had claimed the key.
    await admin.set(key, 'intruder', 'PX', 60_000);
    const [reason] = await onceEvent(lease, 'lost', 5_000);
    expect(reason).toMatch(/another holder/);
    await lease.stop();
    expect(await admin.get(key)).toBe('intruder');
    expect(await lease.currentHolder()).toBe('intruder');
  });
});
