import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '@claudine/observability';
import type { Keyspace, TaskStore } from '@claudine/store';

export interface RetentionSweeperOptions {
  redis: Redis;
  keys: Keyspace;
  store: TaskStore;
  logger: Logger;
  /** Finished tasks older than this are removed, with their logs. */
  retentionMs: number;
  /** How often a sweep runs (on one coordinator at a time). @default 60000 */
  intervalMs?: number;
  /** Sweeps only while this says so (the coordinator lease). @default always */
  isLeader?: () => boolean;
}

/**
 * Removes finished tasks past their retention. Any number of coordinators may run one: only the
 * lease holder sweeps (`isLeader`), and a Redis lock (SET NX with a TTL) still makes one sweep per
 * interval across a handover of the lease.
 */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  private readonly owner = randomUUID();

  constructor(private readonly options: RetentionSweeperOptions) {}

  start(): void {
    const interval = this.options.intervalMs ?? 60_000;
    this.timer = setInterval(() => void this.sweepIfLeader(interval), interval);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
  }

  /** Sweeps now, unconditionally. @returns how many tasks were removed */
  async sweepOnce(nowMs = Date.now()): Promise<number> {
    const removed = await this.options.store.removeFinishedBefore(nowMs - this.options.retentionMs);
    if (removed > 0) this.options.logger.info({ removed }, 'removed finished tasks past their retention');
    return removed;
  }

  private async sweepIfLeader(intervalMs: number): Promise<void> {
    const { redis, keys, logger, isLeader } = this.options;
    if (isLeader && !isLeader()) return;
    try {
      const acquired = await redis.set(
        `${keys.prefix}:lock:retention`,
        this.owner,
        'PX',
        Math.max(1_000, intervalMs - 500),
        'NX',
      );
      if (acquired !== 'OK') return;
      this.sweeping = this.sweepOnce();
      await this.sweeping;
    } catch (error) {
      logger.warn({ err: error }, 'retention sweep failed');
    } finally {
      this.sweeping = undefined;
    }
  }
}
