import { loadConfig } from './config';

describe('worker config: membership, capacity and failover', () => {
  it('has failover defaults well inside 15 s and the capacity inputs', () => {
    const config = loadConfig({});
    expect(config.heartbeatIntervalMs).toBe(1_000);
    expect(config.deadAfterMs).toBe(5_000);
    expect(config.locks).toMatchObject({ lockDuration: 6_000, stalledInterval: 2_000 });
    expect(config.resources).toEqual({
      cpuReserve: 0.5,
      memoryReserveBytes: 1024 ** 3,
      agentCpu: 0.5,
      agentMemoryBytes: 512 * 1024 ** 2,
      spawnIntervalMs: 1_000,
    });
    expect(config.drainTimeoutMs).toBe(60_000);
    expect(config.labels).toEqual([]);
  });

  it('reads sizes, fractions and labels', () => {
    const config = loadConfig({
      CLAUDINE_MEMORY_RESERVE: '512M',
      CLAUDINE_AGENT_MEMORY: '2G',
      CLAUDINE_AGENT_CPU: '1.5',
      CLAUDINE_WORKER_LABELS: 'GPU, repo:web,gpu',
    });
    expect(config.resources).toMatchObject({
      memoryReserveBytes: 512 * 1024 ** 2,
      agentMemoryBytes: 2 * 1024 ** 3,
      agentCpu: 1.5,
    });
    expect(config.labels).toEqual(['gpu', 'repo:web']);
  });

  it('names each bad variable', () => {
    expect(() => loadConfig({ CLAUDINE_AGENT_CPU: 'lots' })).toThrow(/CLAUDINE_AGENT_CPU/);
    expect(() => loadConfig({ CLAUDINE_MEMORY_RESERVE: 'much' })).toThrow(/CLAUDINE_MEMORY_RESERVE/);
    expect(() => loadConfig({ CLAUDINE_WORKER_LABELS: 'gpu,-bad' })).toThrow(/CLAUDINE_WORKER_LABELS/);
    expect(() =>
      loadConfig({
        CLAUDINE_HEARTBEAT_INTERVAL_MS: '5000',
        CLAUDINE_WORKER_DEAD_AFTER_MS: '5000',
        CLAUDINE_LOCK_DURATION_MS: '20000',
      }),
    ).toThrow(/CLAUDINE_WORKER_DEAD_AFTER_MS: must be longer than CLAUDINE_HEARTBEAT_INTERVAL_MS/);
    expect(() => loadConfig({ CLAUDINE_LOCK_DURATION_MS: '1500' })).toThrow(
      /CLAUDINE_LOCK_DURATION_MS: must be at least twice CLAUDINE_HEARTBEAT_INTERVAL_MS/,
    );
  });
});
