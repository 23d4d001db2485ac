import { createLogger } from '@claudine/observability';
import { startRedis, waitFor, type RedisHarness } from '@claudine/testing';
import { closeRedis, createKeyspace, createRedisConnection, waitForRedis } from '@claudine/store';
import type { Redis } from 'ioredis';
import { loadConfig } from '../src/config';
import { CoordinatorService } from '../src/coordinator-service';

const TTL_MS = 1_500;
/** The bound for a dead coordinator's duties to move. */
const HANDOVER_BOUND_MS = 15_000;

describe('several coordinators and the lease', () => {
  let harness: RedisHarness;
  let admin: Redis;
  const running: CoordinatorService[] = [];
  /** Per coordinator: how often its blocked-task recheck and schedule reconcile ran. */
  const duties = new Map<CoordinatorService, { rechecks: number; reconciles: number }>();

  beforeAll(async () => {
    harness = await startRedis();
    admin = createRedisConnection({ url: harness.url, role: 'producer' });
    await waitForRedis(admin);
    for (let i = 0; i < 3; i++) {
      const coordinator = await CoordinatorService.create(
        loadConfig({
          REDIS_URL: harness.url,
          CLAUDINE_KEY_PREFIX: harness.keyPrefix,
          CLAUDINE_GRPC_PORT: '0',
          CLAUDINE_COORDINATOR_ID: `coordinator-${i}`,
          CLAUDINE_LEASE_TTL_MS: String(TTL_MS),
          CLAUDINE_DEPENDENCY_RECHECK_MS: '1000',
          CLAUDINE_SCHEDULE_RECONCILE_MS: '1000',
          LOG_LEVEL: 'silent',
        }),
        createLogger({ name: `coordinator-${i}`, level: 'silent' }),
      );
      running.push(coordinator);
      // Count the duties' real work (the methods still run): which coordinator does them.
      const count = { rechecks: 0, reconciles: 0 };
      duties.set(coordinator, count);
      const recheckAll = coordinator.releaser.recheckAll.bind(coordinator.releaser);
      coordinator.releaser.recheckAll = () => {
        count.rechecks++;
        return recheckAll();
      };
      const reconcile = coordinator.schedules.reconcile.bind(coordinator.schedules);
      coordinator.schedules.reconcile = (nowMs?: number) => {
        count.reconciles++;
        return reconcile(nowMs);
      };
    }
  });

  afterAll(async () => {
    for (const coordinator of running) if (!closed.has(coordinator)) await coordinator.close();
    await closeRedis(admin);
    await harness.stop();
  });

  const live = (): CoordinatorService[] => running.filter((c) => !stopped.has(c));
  const stopped = new Set<CoordinatorService>();
  const closed = new Set<CoordinatorService>();
  const holders = (): CoordinatorService[] => live().filter((c) => c.lease.held);
  const leaseKey = (): string => createKeyspace(harness.keyPrefix).coordinatorLease;

  async function metricOf(coordinator: CoordinatorService): Promise<string | undefined> {
    const text = await (await fetch(coordinator.metricsUrl)).text();
    return /^claudine_coordinator_lease_held(?:\{[^}]*\})? (\d)$/m.exec(text)?.[1];
  }

  /** Waits until the once-only duties ran at least `times` more times on the holder, and never elsewhere. */
  async function dutiesRunOnlyOn(holder: CoordinatorService, times: number): Promise<void> {
    const before = new Map([...duties].map(([c, n]) => [c, { ...n }]));
    await waitFor(
      () => {
        const now = duties.get(holder)!;
        const then = before.get(holder)!;
        return now.rechecks - then.rechecks >= times && now.reconciles - then.reconciles >= times;
      },
      { description: `the holder's recheck and reconcile to run ${times} times`, timeoutMs: 10_000 },
    );
    for (const other of live().filter((c) => c !== holder)) {
      expect(duties.get(other)!.rechecks).toBe(before.get(other)!.rechecks);
      expect(duties.get(other)!.reconciles).toBe(before.get(other)!.reconciles);
    }
  }

  it('has exactly one holder, named in Redis and in its metrics, and runs the duties there only', async () => {
    const [holder] = await waitFor(() => holders().length === 1 && holders(), {
      description: 'one lease holder',
    });
    expect(await admin.get(leaseKey())).toBe(holder!.lease.holderId);
    expect(await metricOf(holder!)).toBe('1');
    for (const other of live().filter((c) => c !== holder)) expect(await metricOf(other)).toBe('0');
    await dutiesRunOnlyOn(holder!, 2);
  });

  it('passes the lease on within 15 s when the holder stops renewing (as if killed), and the duties follow', async () => {
    const [holder] = holders();
    // The holder's process is gone: nothing renews, nothing releases.
    const diedAt = Date.now();
    await holder!.lease.stop({ release: false });
    stopped.add(holder!);
    const [next] = await waitFor(() => holders().length === 1 && holders(), {
      description: 'another coordinator to hold the lease',
      timeoutMs: HANDOVER_BOUND_MS,
    });
    const handoverMs = Date.now() - diedAt;
    expect(handoverMs).toBeLessThan(TTL_MS + TTL_MS / 3 + 1_000);
    expect(next).not.toBe(holder);
    expect(await admin.get(leaseKey())).toBe(next!.lease.holderId);
    await dutiesRunOnlyOn(next!, 1);
    await holder!.close();
    closed.add(holder!);
  });

  it('hands over at once when the holder closes, and the last one holds alone', async () => {
    const [holder] = holders();
    const closedAt = Date.now();
    await holder!.close();
    closed.add(holder!);
    stopped.add(holder!);
    const [last] = await waitFor(() => holders().length === 1 && holders(), {
      description: 'the last coordinator to hold the lease',
      timeoutMs: HANDOVER_BOUND_MS,
    });
    expect(Date.now() - closedAt).toBeLessThan(TTL_MS / 3 + 1_000);
    expect(live()).toEqual([last]);
    await dutiesRunOnlyOn(last!, 1);
  });
});
