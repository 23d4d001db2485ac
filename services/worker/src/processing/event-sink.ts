import type { NewTaskEvent } from '@claudine/core';
import type { TaskStore } from '@claudine/store';
import type { Logger } from '@claudine/observability';

/**
 * Buffers a task's events and writes them to its Redis stream in batches, one write in flight
 * at a time, so events keep their order and a chatty agent costs few round trips.
 */
export class EventSink {
  private buffer: NewTaskEvent[] = [];
  private flushing: Promise<void> | undefined;
  private scheduled = false;

  constructor(
    private readonly store: TaskStore,
    private readonly taskId: string,
    private readonly logger: Logger,
    private readonly maxBatch = 200,
  ) {}

  push(event: NewTaskEvent): void {
    this.buffer.push(event);
    if (this.buffer.length >= this.maxBatch) void this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
  }

  /** Resolves once every event pushed so far is in Redis. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.store
      .appendEvents(this.taskId, batch)
      .then(() => undefined)
      .catch((error: unknown) => {
        this.logger.warn({ err: error, dropped: batch.length }, 'could not append task events');
      })
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
    if (this.buffer.length > 0) await this.flush();
  }
}
