import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Keyspace } from './keyspace';

export const WorkerHeartbeatSchema = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  capacity: z.number().int(),
  runningTaskIds: z.array(z.string()),
  version: z.string(),
  startedAtMs: z.number(),
  lastHeartbeatMs: z.number(),
  /** Set while the worker takes no new tasks because the API rate-limited it. */
  pausedUntilMs: z.number().optional(),
});
export type WorkerHeartbeat = z.infer<typeof WorkerHeartbeatSchema>;

/**
 * Worker membership through expiring heartbeats: each worker rewrites its entry every beat
 * with a TTL of a few beats, so a dead worker disappears on its own.
 */
export class WorkerRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  async beat(heartbeat: WorkerHeartbeat, ttlMs: number): Promise<void> {
    await this.redis
      .multi()
      .set(this.keys.worker(heartbeat.id), JSON.stringify(heartbeat), 'PX', ttlMs)
      .zadd(this.keys.workers, heartbeat.lastHeartbeatMs, heartbeat.id)
      .exec();
  }

  async remove(workerId: string): Promise<void> {
    await this.redis.multi().del(this.keys.worker(workerId)).zrem(this.keys.workers, workerId).exec();
  }

  /** Live workers, by id. Entries whose heartbeat expired are dropped from the index. */
  async list(): Promise<WorkerHeartbeat[]> {
    const ids = await this.redis.zrange(this.keys.workers, 0, -1);
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.keys.worker(id)));
    const dead = ids.filter((_, i) => values[i] === null);
    if (dead.length > 0) await this.redis.zrem(this.keys.workers, ...dead);
    return values
      .filter((value): value is string => value !== null)
      .map((value) => WorkerHeartbeatSchema.parse(JSON.parse(value)))
      .sort((a, b) => a.id.localeCompare(b.id));
  }
}
