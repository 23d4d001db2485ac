import { readFileSync } from 'node:fs';
import os from 'node:os';

/** What the machine looks like now. */
export interface MachineReadings {
  /** 1-minute load average. */
  load1: number;
  cpus: number;
  /** Memory available for new processes, in bytes. */
  freeMemoryBytes: number;
}

export interface CapacityControllerOptions {
  /** CLAUDINE_WORKER_CAPACITY: never more than this many tasks at once. */
  maxCapacity: number;
  /** CPU cores kept free for everything else. */
  cpuReserve: number;
  /** Bytes of memory kept free. */
  memoryReserveBytes: number;
  /** Estimated cores per agent; 0 leaves CPU out of the count. */
  agentCpu: number;
  /** Estimated bytes per agent; 0 leaves memory out of the count. */
  agentMemoryBytes: number;
  /** The least gap between two agent starts. */
  spawnIntervalMs: number;
  /** Reads the machine; injectable for tests. @default readMachine */
  readMachine?: () => MachineReadings;
  /** The clock; injectable for tests. @default Date.now */
  now?: () => number;
}

/** Why a start may not happen now, and when to look again. */
export type Admission =
  { admitted: true } | { admitted: false; reason: 'full' | 'spawn-interval'; retryInMs?: number };

/**
 * How many tasks this worker allows at once, from its machine's load and memory. Re-evaluated at
 * every heartbeat (`evaluate`); a start also needs the spawn interval since the last start, so
 * a freed machine does not get a burst of agents at once.
 *
 *   allowed = min(max, running + ⌊spare CPU / agent CPU⌋, running + ⌊spare memory / agent memory⌋)
 *   spare CPU = cpus − load1 − reserve;  spare memory = available − reserve
 *
 * never below `running` (running agents are never stopped for capacity) nor 0. The CPU term lets
 * an idle worker (nothing running) start one agent even on a loaded machine: load makes an agent
 * slower, not broken, and a worker that never starts anything under load would starve its
 * queue on a busy host. Memory has no such floor: an agent that does not fit is refused.
 */
export class CapacityController {
  private allowed: number;
  private latest: MachineReadings;
  private lastStartMs = Number.NEGATIVE_INFINITY;
  private readonly readMachine: () => MachineReadings;
  private readonly now: () => number;

  constructor(private readonly options: CapacityControllerOptions) {
    this.readMachine = options.readMachine ?? readMachine;
    this.now = options.now ?? Date.now;
    this.latest = this.readMachine();
    this.allowed = this.compute(0, this.latest);
  }

  /** Tasks allowed at once, as of the last evaluation. */
  get capacity(): number {
    return this.allowed;
  }

  get maxCapacity(): number {
    return this.options.maxCapacity;
  }

  get readings(): MachineReadings {
    return this.latest;
  }

  /** Reads the machine again and recomputes the allowed count, given how many tasks run now. */
  evaluate(running: number): number {
    this.latest = this.readMachine();
    this.allowed = this.compute(running, this.latest);
    return this.allowed;
  }

  /** Whether one more task may start now, with `running` tasks already holding slots. */
  admit(running: number): Admission {
    if (running >= this.allowed) return { admitted: false, reason: 'full' };
    const wait = this.lastStartMs + this.options.spawnIntervalMs - this.now();
    if (wait > 0) return { admitted: false, reason: 'spawn-interval', retryInMs: wait };
    return { admitted: true };
  }

  /** A task took a slot: the spawn interval counts from now. */
  recordStart(): void {
    this.lastStartMs = this.now();
  }

  private compute(running: number, machine: MachineReadings): number {
    const { maxCapacity, cpuReserve, memoryReserveBytes, agentCpu, agentMemoryBytes } = this.options;
    let allowed = maxCapacity;
    if (agentCpu > 0) {
      const spare = machine.cpus - machine.load1 - cpuReserve;
      const byCpu = running + Math.floor(Math.max(0, spare) / agentCpu);
      allowed = Math.min(allowed, Math.max(byCpu, running === 0 ? 1 : 0));
    }
    if (agentMemoryBytes > 0) {
      const spare = machine.freeMemoryBytes - memoryReserveBytes;
      allowed = Math.min(allowed, running + Math.floor(Math.max(0, spare) / agentMemoryBytes));
    }
    return Math.max(0, running, allowed);
  }
}

/** The machine now: load average, CPU count, and MemAvailable (Linux) or free memory. */
export function readMachine(): MachineReadings {
  return {
    load1: os.loadavg()[0] ?? 0,
    cpus: os.cpus().length || 1,
    freeMemoryBytes: availableMemoryBytes(),
  };
}

/**
 * MemAvailable from /proc/meminfo where there is one: it counts reclaimable page cache, which
 * os.freemem() does not, so a Linux box with a warm cache is not read as out of memory.
 */
export function availableMemoryBytes(): number {
  if (process.platform === 'linux') {
    try {
      const match = /^MemAvailable:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
      if (match?.[1]) return Number(match[1]) * 1024;
    } catch {
      // no procfs (a container without it): fall back
    }
  }
  return os.freemem();
}
