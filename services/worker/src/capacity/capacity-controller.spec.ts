import { availableMemoryBytes, CapacityController, type MachineReadings } from './capacity-controller';

const GiB = 1024 ** 3;

function controller(
  initial: MachineReadings,
  overrides: { spawnIntervalMs?: number; maxCapacity?: number } = {},
) {
  let machine = initial;
  let now = 10_000;
  const capacity = new CapacityController({
    maxCapacity: overrides.maxCapacity ?? 8,
    cpuReserve: 0.5,
    memoryReserveBytes: 1 * GiB,
    agentCpu: 0.5,
    agentMemoryBytes: 0.5 * GiB,
    spawnIntervalMs: overrides.spawnIntervalMs ?? 0,
    readMachine: () => machine,
    now: () => now,
  });
  return {
    capacity,
    set(next: Partial<MachineReadings>) {
      machine = { ...machine, ...next };
    },
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('CapacityController', () => {
  it('allows what spare CPU and memory fit, never above the maximum', () => {
    // 4 cores, load 1: 2.5 spare cores = 5 agents; 8 GiB available: 14 agents; max 8.
    const { capacity, set } = controller({ load1: 1, cpus: 4, freeMemoryBytes: 8 * GiB });
    expect(capacity.evaluate(0)).toBe(5);
    // Memory is the tighter bound: 2 GiB − 1 GiB reserve = 2 agents.
    set({ freeMemoryBytes: 2 * GiB });
    expect(capacity.evaluate(0)).toBe(2);
    // A big idle machine: the maximum.
    set({ load1: 0, cpus: 64, freeMemoryBytes: 256 * GiB });
    expect(capacity.evaluate(0)).toBe(8);
  });

  it('takes fewer tasks as the load rises, never dropping below the ones running', () => {
    const { capacity, set } = controller({ load1: 0.5, cpus: 4, freeMemoryBytes: 16 * GiB });
    expect(capacity.evaluate(0)).toBe(6);
    set({ load1: 3 });
    // 3 running, load 3 of 4 cores: 0.5 spare core = 1 more.
    expect(capacity.evaluate(3)).toBe(4);
    set({ load1: 6 });
    expect(capacity.evaluate(3)).toBe(3);
    expect(capacity.admit(3)).toEqual({ admitted: false, reason: 'full' });
    set({ load1: 0 });
    expect(capacity.evaluate(3)).toBe(8);
  });

  it('lets an idle worker start one agent on a loaded machine, but never one that does not fit in memory', () => {
    const { capacity, set } = controller({ load1: 9, cpus: 2, freeMemoryBytes: 16 * GiB });
    expect(capacity.evaluate(0)).toBe(1);
    expect(capacity.evaluate(1)).toBe(1);
    set({ freeMemoryBytes: 1.2 * GiB });
    expect(capacity.evaluate(0)).toBe(0);
    expect(capacity.admit(0)).toEqual({ admitted: false, reason: 'full' });
  });

  it('spaces starts by the spawn interval', () => {
    const { capacity, advance } = controller(
      { load1: 0, cpus: 8, freeMemoryBytes: 16 * GiB },
      { spawnIntervalMs: 1_000 },
    );
    capacity.evaluate(0);
    expect(capacity.admit(0)).toEqual({ admitted: true });
    capacity.recordStart();
    expect(capacity.admit(1)).toEqual({ admitted: false, reason: 'spawn-interval', retryInMs: 1_000 });
    advance(600);
    expect(capacity.admit(1)).toEqual({ admitted: false, reason: 'spawn-interval', retryInMs: 400 });
    advance(400);
    expect(capacity.admit(1)).toEqual({ admitted: true });
  });

  it('reads available memory from the machine', () => {
    expect(availableMemoryBytes()).toBeGreaterThan(0);
  });
});
