import type { NewTaskEvent } from '@claudine/core';
import type { AttemptFence, TaskStore } from '@claudine/store';
import type { Logger } from '@claudine/observability';

export interface EventSinkOptions {
  /** The attempt this worker holds: events are written only while it still does. */
  fence?: AttemptFence;
  /** Called once when Redis refuses a batch because the attempt is no longer this worker's. */
  onFenced?: () => void;
  maxBatch?: number;
}

/**
 * Buffers a task's events and writes them to its Redis stream in batches, one write in flight
 * at a time, so events keep their order and a chatty agent costs few round trips. Once fenced
 * off (another attempt holds the task), it drops what it has and writes nothing more.
 */
export class EventSink {
  private buffer: NewTaskEvent[] = [];
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  private fenced = false;
  private readonly maxBatch: number;

  constructor(
    private readonly store: TaskStore,
    private readonly taskId: string,
    private readonly logger: Logger,
    private readonly options: EventSinkOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 200;
  }

  push(event: NewTaskEvent): void {
    if (this.fenced) return;
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

  /** Drops what is buffered and writes nothing more (the run was fenced). */
  discard(): void {
    this.fenced = true;
    this.buffer = [];
  }

  /** Resolves once every event pushed so far is in Redis (or refused). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0 || this.fenced) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.store
      .appendEvents(this.taskId, batch, Date.now(), this.options.fence)
      .then((offset) => {
        if (offset === -1) this.markFenced(batch.length);
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: error, dropped: batch.length }, 'could not append task events');
      })
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
    if (this.buffer.length > 0) await this.flush();
  }

  private markFenced(dropped: number): void {
    if (this.fenced) return;
    this.logger.warn({ dropped }, 'events refused: the attempt is no longer this worker’s');
    this.discard();
    this.options.onFenced?.();
  }
}
