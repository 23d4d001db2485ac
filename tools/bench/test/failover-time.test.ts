import { Writable } from 'node:stream';
import { startRedis, type RedisHarness } from '@claudine/testing';
import { failoverSection, measureFailoverTime } from '../src/failover-time';

// The failover measurement at a tiny scale on a real Redis, with real worker processes and short
// locks: it must produce numbers, and leave no process or connection behind.
describe('bench: failover time', () => {
  let redis: RedisHarness;
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    await redis.stop();
  });

  it('measures SIGKILL to running elsewhere over real worker processes', async () => {
    const result = await measureFailoverTime({
      redisUrl: redis.url,
      kills: 2,
      perRound: 2,
      logDestination: silent,
      workerEnv: { CLAUDINE_LOCK_DURATION_MS: '2000', CLAUDINE_STALLED_INTERVAL_MS: '500' },
    });
    expect(result).toMatchObject({
      lockDurationMs: 2000,
      stalledIntervalMs: 500,
      recordedLost: 2,
      completed: 2,
    });
    expect(result.failover.count).toBe(2);
    expect(result.failover.min).toBeGreaterThan(0);
    expect(result.toAgentStart.min).toBeGreaterThanOrEqual(result.failover.min);
    const section = failoverSection({ ok: true, value: result }, 2, 2);
    expect(section.rows.map((row) => row.verdict)).toEqual(['info', 'meets', 'info']);
  }, 90_000);
});
