import { Worker, type Job, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TaskJobData } from '@claudine/store';
import type { Logger } from '@claudine/observability';

export interface QueueConsumersOptions {
  connection: Redis;
  /** BullMQ key prefix. */
  prefix: string;
  /**
   * Each queue's BullMQ concurrency: the worker's maximum capacity, so that any one queue can
   * fill it. The total across queues is held by the shared gate in the processor, not here.
   */
  concurrency: number;
  lockDuration: number;
  stalledInterval: number;
  maxStalledCount: number;
  /** One processor for every queue (it holds the capacity gate). */
  processor: Processor<TaskJobData, void>;
  logger: Logger;
  /** BullMQ gave a job up for good (failed after its last attempt or stall). */
  onFailed?: (job: Job<TaskJobData, void>, error: Error) => void;
  /** Locks could not be renewed: these jobs may be taken over by another worker. */
  onLockRenewalFailed?: (queueName: string, jobIds: string[]) => void;
  /** Locks were renewed: Redis answers. */
  onLocksRenewed?: () => void;
}

/**
 * The BullMQ Workers this worker consumes with: one per queue (the shared queue, its own, and
 * any the routing adds), all with one processor and so one capacity gate. The set of queues can
 * change while it runs (`setQueues`), and fetching can be switched off and on for all of them at
 * once (`setFetching`) when the gate is full, the worker drains, or the API rate-limits it.
 */
export class QueueConsumers {
  private readonly workers = new Map<string, Worker<TaskJobData, void>>();
  private readonly retiring = new Set<Promise<void>>();
  private fetching = false;
  private closed = false;

  constructor(private readonly options: QueueConsumersOptions) {}

  get queueNames(): string[] {
    return [...this.workers.keys()];
  }

  get isFetching(): boolean {
    return this.fetching;
  }

  /**
   * Consumes exactly these queues: starts a Worker for each new one (fetching if fetching is on)
   * and closes the ones no longer named (after their running jobs end).
   */
  async setQueues(names: readonly string[]): Promise<void> {
    if (this.closed) return;
    const wanted = new Set(names);
    for (const [name, worker] of this.workers) {
      if (wanted.has(name)) continue;
      this.workers.delete(name);
      const retired = worker
        .close()
        .catch((error: unknown) =>
          this.options.logger.warn({ err: error, queue: name }, 'could not close a queue worker'),
        )
        .finally(() => this.retiring.delete(retired));
      this.retiring.add(retired);
    }
    const added: Worker<TaskJobData, void>[] = [];
    for (const name of wanted) {
      if (this.workers.has(name)) continue;
      const worker = this.createWorker(name);
      this.workers.set(name, worker);
      added.push(worker);
      if (this.fetching) void worker.resume();
    }
    await Promise.all(added.map((worker) => worker.waitUntilReady()));
  }

  /** Switches fetching new jobs on or off for every queue; running jobs go on either way. */
  setFetching(enabled: boolean): void {
    if (this.closed || enabled === this.fetching) return;
    this.fetching = enabled;
    for (const worker of this.workers.values()) {
      // resume() also starts a Worker that never ran; pause(true) does not wait for active jobs.
      if (enabled) void worker.resume();
      else void worker.pause(true);
    }
  }

  /**
   * Closes every Worker. Without `force` it waits for the running jobs (their processors end:
   * stop their agents first); with it, it does not.
   */
  async close(force = false): Promise<void> {
    this.closed = true;
    this.fetching = false;
    const workers = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(workers.map((worker) => worker.close(force)));
    await Promise.all([...this.retiring]);
  }

  private createWorker(queueName: string): Worker<TaskJobData, void> {
    const { options } = this;
    const worker = new Worker<TaskJobData, void>(queueName, options.processor, {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      autorun: false,
      lockDuration: options.lockDuration,
      stalledInterval: options.stalledInterval,
      maxStalledCount: options.maxStalledCount,
    });
    worker.on('error', (error) =>
      options.logger.error({ err: error, queue: queueName }, 'queue worker error'),
    );
    worker.on('failed', (job, error) => {
      if (job) options.onFailed?.(job, error);
    });
    worker.on('lockRenewalFailed', (jobIds) => options.onLockRenewalFailed?.(queueName, jobIds));
    worker.on('locksRenewed', () => options.onLocksRenewed?.());
    return worker;
  }
}
