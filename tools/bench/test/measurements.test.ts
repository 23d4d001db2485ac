import { Writable } from 'node:stream';
import { startRedis, type RedisHarness } from '@claudine/testing';
import { measureAdmissionThroughput } from '../src/admission-throughput';
import { measureDelegationLatency } from '../src/delegation-latency';

// The measurements at a tiny scale on a real Redis: they must produce numbers and leave nothing open.
describe('bench measurements', () => {
  let redis: RedisHarness;
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    await redis.stop();
  });

  it('measures delegation latency against raw BullMQ', async () => {
    const result = await measureDelegationLatency({
      redisUrl: redis.url,
      count: 5,
      warmup: 1,
      workerCapacity: 2,
      logDestination: silent,
    });
    expect(result.claudine.count).toBe(5);
    expect(result.raw.count).toBe(5);
    expect(result.completed).toBe(5);
    expect(result.failed).toEqual([]);
    expect(result.claudine.min).toBeGreaterThanOrEqual(0);
    expect(result.stages).toHaveLength(4);
  });

  it('measures admission throughput against raw BullMQ', async () => {
    const result = await measureAdmissionThroughput({
      redisUrl: redis.url,
      count: 40,
      concurrency: 8,
      warmup: 4,
      rounds: 1,
      logDestination: silent,
    });
    for (const run of [result.claudine, result.withoutGrpc, result.raw]) {
      expect(run.accepted).toBe(40);
      expect(run.perSecond).toBeGreaterThan(0);
    }
  });
});
