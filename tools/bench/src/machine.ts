import os from 'node:os';
import type { Redis } from 'ioredis';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  platform: string;
  node: string;
  redis: string;
  /** 1-minute load average when the run started: other work on the machine skews every number. */
  loadAverage: number;
}

export function loadAverage(): number {
  return Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
}

export async function describeMachine(redis: Redis): Promise<MachineInfo> {
  const info = await redis.info('server');
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    redis: /^redis_version:(.+)$/m.exec(info)?.[1]?.trim() ?? 'unknown',
    loadAverage: loadAverage(),
  };
}
