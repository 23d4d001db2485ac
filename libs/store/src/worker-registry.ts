import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Keyspace } from './keyspace';

/**
 * What a live worker says about itself: `running` (takes tasks), `draining` (takes none: a drain
 * was requested, or it is shutting down), `paused` (the API rate-limited it; see pausedUntilMs).
 */
export const WORKER_STATES = ['running', 'draining', 'paused'] as const;
export type WorkerState = (typeof WORKER_STATES)[number];
/** As listed: a worker whose heartbeat lapsed shows as `dead` for a while. */
export type ListedWorkerState = WorkerState | 'dead';

export const WorkerHeartbeatSchema = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  /** How many tasks it allows now (its machine's load and memory permitting): at least its running ones. */
  capacity: z.number().int(),
  /** CLAUDINE_WORKER_CAPACITY: never more than this. Absent from older workers' heartbeats. */
  maxCapacity: z.number().int().optional(),
  runningTaskIds: z.array(z.string()),
  version: z.string(),
  startedAtMs: z.number(),
  lastHeartbeatMs: z.number(),
  /** Set while the worker takes no new tasks because the API rate-limited it. */
  pausedUntilMs: z.number().optional(),
  labels: z.array(z.string()).default([]),
  state: z.enum(WORKER_STATES).default('running'),
  /** 1-minute load average of its machine. */
  load1: z.number().default(0),
  cpus: z.number().int().default(0),
  /** Memory available for new processes, in bytes. */
  freeMemoryBytes: z.number().default(0),
});
export type WorkerHeartbeat = z.output<typeof WorkerHeartbeatSchema>;
/** A heartbeat as written: the fields with defaults may be left out. */
export type WorkerHeartbeatInput = z.input<typeof WorkerHeartbeatSchema>;

/** A registry entry as listed: its heartbeat, with `dead` for a lapsed one and its drain flag. */
export type ListedWorker = Omit<WorkerHeartbeat, 'state'> & {
  state: ListedWorkerState;
  drainRequested: boolean;
};

export const DrainMessageSchema = z.object({ workerId: z.string(), drain: z.boolean() });
export type DrainMessage = z.infer<typeof DrainMessageSchema>;

export interface WorkerRegistryOptions {
  /** How long a dead worker stays listed (as `dead`) after its last heartbeat. @default 10 minutes */
  deadRetentionMs?: number;
}

export const DEFAULT_DEAD_RETENTION_MS = 10 * 60_000;

/**
 * Worker membership through expiring heartbeats: each worker rewrites its entry every beat with
 * a TTL (CLAUDINE_WORKER_DEAD_AFTER_MS), so a worker that stops beating is dead once it lapses.
 * Its last heartbeat is also kept in `{p}:workers:last`, so that it is listed as `dead` for
 * `deadRetentionMs` before it is dropped. A worker that leaves cleanly removes all of it.
 *
 * Drain requests live in `{p}:workers:drain` (read by every heartbeat) and are published on the
 * channel of the same name (so that the worker acts at once).
 */
export class WorkerRegistry {
  private readonly deadRetentionMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
    options: WorkerRegistryOptions = {},
  ) {
    this.deadRetentionMs = options.deadRetentionMs ?? DEFAULT_DEAD_RETENTION_MS;
  }

  /**
   * Writes the heartbeat (expiring after `ttlMs`) in one MULTI.
   * @returns whether a drain is requested for this worker
   */
  async beat(heartbeat: WorkerHeartbeatInput, ttlMs: number): Promise<{ drainRequested: boolean }> {
    const json = JSON.stringify(heartbeat);
    const results = await this.redis
      .multi()
      .set(this.keys.worker(heartbeat.id), json, 'PX', ttlMs)
      .zadd(this.keys.workers, heartbeat.lastHeartbeatMs, heartbeat.id)
      .hset(this.keys.workersLastBeat, heartbeat.id, json)
      .hexists(this.keys.workersDrain, heartbeat.id)
      .exec();
    const failure = results?.find(([error]) => error !== null)?.[0];
    if (!results || failure) throw failure ?? new Error('heartbeat transaction aborted');
    return { drainRequested: results[3]?.[1] === 1 };
  }

  /** A clean leave: the entry, its last heartbeat and its drain flag go. */
  async remove(workerId: string): Promise<void> {
    await this.redis
      .multi()
      .del(this.keys.worker(workerId))
      .zrem(this.keys.workers, workerId)
      .hdel(this.keys.workersLastBeat, workerId)
      .hdel(this.keys.workersDrain, workerId)
      .exec();
  }

  /** Live workers, by id. */
  async list(): Promise<WorkerHeartbeat[]> {
    const listed = await this.listIncludingDead();
    return listed
      .filter((worker) => worker.state !== 'dead')
      .map(({ drainRequested: _drain, ...worker }) => ({ ...worker, state: worker.state as WorkerState }));
  }

  /**
   * Live workers and, for `deadRetentionMs` after their last heartbeat, dead ones (state `dead`),
   * by id. Dead entries past that are dropped.
   */
  async listIncludingDead(nowMs = Date.now()): Promise<ListedWorker[]> {
    const flat = await this.redis.zrange(this.keys.workers, 0, -1, 'WITHSCORES');
    const ids: string[] = [];
    const scores: number[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      ids.push(flat[i] as string);
      scores.push(Number(flat[i + 1]));
    }
    if (ids.length === 0) return [];
    const [live, last, drains] = await Promise.all([
      this.redis.mget(ids.map((id) => this.keys.worker(id))),
      this.redis.hmget(this.keys.workersLastBeat, ...ids),
      this.redis.hmget(this.keys.workersDrain, ...ids),
    ]);
    const listed: ListedWorker[] = [];
    const expired: string[] = [];
    ids.forEach((id, i) => {
      const drainRequested = drains[i] !== null && drains[i] !== undefined;
      const liveJson = live[i];
      if (liveJson) {
        listed.push({ ...parseHeartbeat(liveJson), drainRequested });
        return;
      }
      const lastJson = last[i];
      if (lastJson && (scores[i] ?? 0) >= nowMs - this.deadRetentionMs) {
        listed.push({ ...parseHeartbeat(lastJson), state: 'dead', drainRequested });
        return;
      }
      expired.push(id);
    });
    if (expired.length > 0) {
      await this.redis
        .multi()
        .zrem(this.keys.workers, ...expired)
        .hdel(this.keys.workersLastBeat, ...expired)
        .hdel(this.keys.workersDrain, ...expired)
        .exec();
    }
    return listed.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** One worker as listed (live or dead), or undefined when the registry does not know it. */
  async get(workerId: string): Promise<ListedWorker | undefined> {
    return (await this.listIncludingDead()).find((worker) => worker.id === workerId);
  }

  /**
   * Asks a worker to stop taking new tasks (or, with `drain` false, to take them again): writes
   * the flag its heartbeat reads and publishes it, in one MULTI.
   */
  async requestDrain(workerId: string, drain: boolean): Promise<void> {
    const message: DrainMessage = { workerId, drain };
    const multi = this.redis.multi();
    if (drain) multi.hset(this.keys.workersDrain, workerId, JSON.stringify({ requestedAtMs: Date.now() }));
    else multi.hdel(this.keys.workersDrain, workerId);
    await multi.publish(this.keys.workersDrain, JSON.stringify(message)).exec();
  }
}

function parseHeartbeat(json: string): WorkerHeartbeat {
  return WorkerHeartbeatSchema.parse(JSON.parse(json));
}

/**
 * Subscribes a dedicated connection to drain requests.
 * @returns a function that unsubscribes.
 */
export async function subscribeToDrains(
  subscriber: Redis,
  keys: Keyspace,
  onDrain: (message: DrainMessage) => void,
): Promise<() => Promise<void>> {
  const listener = (channel: string, raw: string): void => {
    if (channel !== keys.workersDrain) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return;
    }
    const message = DrainMessageSchema.safeParse(parsed);
    if (message.success) onDrain(message.data);
  };
  subscriber.on('message', listener);
  await subscriber.subscribe(keys.workersDrain);
  return async () => {
    subscriber.off('message', listener);
    await subscriber.unsubscribe(keys.workersDrain);
  };
}
