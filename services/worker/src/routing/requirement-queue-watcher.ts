import type { Redis } from 'ioredis';
import type { Logger } from '@claudine/observability';
import { readRequirementSets, type Keyspace } from '@claudine/store';
import { selectQueues } from './queue-selection';

export interface RequirementQueueWatcherOptions {
  workerId: string;
  labels: readonly string[];
  /** For reads. */
  commands: Redis;
  /** In subscriber mode (shared with other subscriptions: messages are told apart by channel). */
  subscriber: Redis;
  keys: Keyspace;
  logger: Logger;
  /** Called with the full list of queues to consume whenever it changes (and once at start). */
  onQueues: (queueNames: string[]) => void | Promise<void>;
}

/**
 * Keeps a worker consuming the requirement queues it can serve: it reads the requirement sets
 * at start, when a coordinator announces a new one (pub/sub), and on every heartbeat (`refresh`),
 * which covers a lost notice.
 */
export class RequirementQueueWatcher {
  private current: string[] = [];
  private refreshing: Promise<string[]> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly options: RequirementQueueWatcherOptions) {}

  /** The queues as last computed. */
  get queues(): readonly string[] {
    return this.current;
  }

  private readonly listener = (channel: string): void => {
    if (channel === this.options.keys.requirementSetsChannel) void this.refresh();
  };

  async start(): Promise<string[]> {
    const { subscriber, keys } = this.options;
    subscriber.on('message', this.listener);
    await subscriber.subscribe(keys.requirementSetsChannel);
    return this.refresh();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.options.subscriber.off('message', this.listener);
    await this.options.subscriber
      .unsubscribe(this.options.keys.requirementSetsChannel)
      .catch(() => undefined);
    await this.refreshing?.catch(() => undefined);
  }

  /** Re-reads the requirement sets; calls onQueues when the list changed. One read at a time. */
  refresh(): Promise<string[]> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = this.read()
      .catch((error: unknown) => {
        this.options.logger.warn({ err: error }, 'could not read the requirement sets');
        return this.current;
      })
      .finally(() => {
        this.refreshing = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          void this.refresh();
        }
      });
    return this.refreshing;
  }

  private async read(): Promise<string[]> {
    const { commands, keys, workerId, labels, onQueues, logger } = this.options;
    const requirementSets = await readRequirementSets(commands, keys);
    const next = selectQueues({ workerId, labels, requirementSets });
    if (this.stopped || sameList(next, this.current)) return this.current;
    this.current = next;
    logger.info({ queues: next }, 'consuming these queues');
    await onQueues(next);
    return next;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
