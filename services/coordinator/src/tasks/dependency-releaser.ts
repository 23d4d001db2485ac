import type { Redis } from 'ioredis';
import type { Logger } from '@claudine/observability';
import type { Keyspace, ReleaseRouter, TaskGraph, TaskQueue } from '@claudine/store';

export interface DependencyReleaserOptions {
  graph: TaskGraph;
  queue: TaskQueue;
  /** Picks each released task's queue (labels, affinity); without it every job goes to `queue`. */
  router?: ReleaseRouter;
  keys: Keyspace;
  /** A connection of its own: it is put in subscriber mode. */
  subscriber: Redis;
  logger: Logger;
  /** How often the ready set is read without a wake-up. @default 1000 */
  pollIntervalMs?: number;
  /** How often every blocked task is checked for a lost wake-up. @default 30000 */
  recheckIntervalMs?: number;
  /**
   * The full recheck runs only while this says so (the coordinator lease): it reads every blocked
   * task, so one coordinator does it. Releasing the ready set runs everywhere. @default always
   */
  isLeader?: () => boolean;
}

const RECHECK_PAGE = 200;

/**
 * Queues the tasks whose dependencies are done. The script that ends a task marks its dependents
 * ready and publishes on `{p}:released`; every coordinator's releaser wakes up and queues what is
 * in the ready set (several at once are harmless: a job id is added once, and marking queued is
 * a compare-and-set). What a crash or an outage left behind is found by the same pass on a timer,
 * and, less often, by a full check of the blocked tasks (RECHECK_BLOCKED): so a dependency that
 * finished while no coordinator ran still releases its dependents when one comes back.
 */
export class DependencyReleaser {
  private pollTimer: NodeJS.Timeout | undefined;
  private recheckTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private rechecking: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly options: DependencyReleaserOptions) {}

  get subscriber(): Redis {
    return this.options.subscriber;
  }

  async start(): Promise<void> {
    const { subscriber, keys } = this.options;
    subscriber.on('message', (channel: string) => {
      if (channel === keys.releasedChannel) this.wake();
    });
    await subscriber.subscribe(keys.releasedChannel);
    this.pollTimer = setInterval(() => this.wake(), this.options.pollIntervalMs ?? 1_000);
    this.recheckTimer = setInterval(
      () => void this.recheckIfLeader(),
      this.options.recheckIntervalMs ?? 30_000,
    );
    // What became ready while no coordinator ran, or was never woken for.
    if (this.isLeader()) await this.recheckAll();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.recheckTimer) clearInterval(this.recheckTimer);
    await this.running;
    await this.rechecking;
    await this.options.subscriber.unsubscribe().catch(() => undefined);
  }

  /** Queues every ready task now (one pass at a time; a wake-up during a pass runs another). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.releaseReady()
      .then(() => undefined)
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'releasing ready tasks failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** One pass over the ready set. @returns how many tasks this pass queued */
  async releaseReady(): Promise<number> {
    const { graph, queue, logger } = this.options;
    let released = 0;
    for (;;) {
      const ids = await graph.readyTaskIds(500);
      if (ids.length === 0) return released;
      const queued = await graph.release(this.options.router ?? queue, ids);
      released += queued.length;
      if (queued.length > 0) logger.debug({ taskIds: queued }, 'dependencies done: tasks queued');
      if (ids.length < 500) return released;
    }
  }

  private isLeader(): boolean {
    return this.options.isLeader?.() ?? true;
  }

  /** The periodic recheck, on the lease holder only; also run when a coordinator gains the lease. */
  async recheckIfLeader(): Promise<void> {
    if (this.stopped || !this.isLeader() || this.rechecking) return;
    this.rechecking = this.recheckAll()
      .then(() => undefined)
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'recheck failed'))
      .finally(() => (this.rechecking = undefined));
    await this.rechecking;
  }

  /** Checks every blocked task for a lost wake-up. @returns how many became ready */
  async recheckAll(): Promise<number> {
    const { graph, logger } = this.options;
    let ready = 0;
    // The ids first: rechecking takes tasks out of the index, which would shift later pages.
    const ids: string[] = [];
    for (let offset = 0; ; offset += RECHECK_PAGE) {
      const page = await graph.blockedTaskIds(offset, RECHECK_PAGE);
      ids.push(...page);
      if (page.length < RECHECK_PAGE) break;
    }
    for (let start = 0; start < ids.length; start += RECHECK_PAGE)
      ready += await graph.recheck(ids.slice(start, start + RECHECK_PAGE));
    if (ready > 0) {
      logger.info({ ready }, 'found blocked tasks whose dependencies had ended: releasing them');
      this.wake();
    }
    return ready;
  }
}
