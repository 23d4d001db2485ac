import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Keyspace } from './keyspace';

export const CancelMessageSchema = z.object({ taskId: z.string(), reason: z.string() });
export type CancelMessage = z.infer<typeof CancelMessageSchema>;

/** Tells every worker that a running task should stop; the one that holds it acts. */
export async function publishCancel(redis: Redis, keys: Keyspace, message: CancelMessage): Promise<void> {
  await redis.publish(keys.cancelChannel, JSON.stringify(message));
}

/**
 * Subscribes a dedicated connection to cancellation requests.
 * @returns a function that unsubscribes.
 */
export async function subscribeToCancels(
  subscriber: Redis,
  keys: Keyspace,
  onCancel: (message: CancelMessage) => void,
): Promise<() => Promise<void>> {
  const listener = (channel: string, raw: string): void => {
    if (channel !== keys.cancelChannel) return;
    const parsed = CancelMessageSchema.safeParse(safeJson(raw));
    if (parsed.success) onCancel(parsed.data);
  };
  subscriber.on('message', listener);
  await subscriber.subscribe(keys.cancelChannel);
  return async () => {
    subscriber.off('message', listener);
    await subscriber.unsubscribe(keys.cancelChannel);
  };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
