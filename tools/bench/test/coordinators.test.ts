import { Writable } from 'node:stream';
import { startRedis, type RedisHarness } from '@claudine/testing';
import { measureCoordinatorScaling } from '../src/coordinator-scaling';
import { measureLeaseHandover } from '../src/lease-handover';

// The coordinator measurements at a tiny scale on a real Redis: numbers come out, nothing stays open.
describe('bench: several coordinators', () => {
  let redis: RedisHarness;
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    await redis.stop();
  });

  it('measures lease handover after a death and after a close', async () => {
    const ttlMs = 600;
    const result = await measureLeaseHandover({
      redisUrl: redis.url,
      coordinators: 2,
      kills: 2,
      closes: 1,
      ttlMs,
      logDestination: silent,
    });
    expect(result.afterDeath.count).toBe(2);
    expect(result.afterClose.count).toBe(1);
    expect(result.overlaps).toBe(0);
    expect(result.afterDeath.max).toBeLessThan(ttlMs + ttlMs / 3 + 1_000);
  }, 60_000);

  it('measures delegation throughput and latency with 1 and 2 coordinators', async () => {
    const result = await measureCoordinatorScaling({
      redisUrl: redis.url,
      counts: [1, 2],
      tasks: 20,
      warmup: 2,
      concurrency: 4,
      hosting: 'in-process',
      logDestination: silent,
    });
    expect(result.runs.map((run) => run.coordinators)).toEqual([1, 2]);
    for (const run of result.runs) {
      expect(run.perSecond).toBeGreaterThan(0);
      expect(run.latency.count).toBe(20);
    }
  }, 60_000);
});
