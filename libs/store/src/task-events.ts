import type { Redis } from 'ioredis';
import type { TaskEvent, TaskEventType } from '@claudine/core';
import type { Keyspace } from './keyspace';

export interface ReadEventsOptions {
  /** Block up to this long for new events; omit for a plain read. */
  blockMs?: number;
  /** At most this many events per read. @default 500 */
  count?: number;
}

/**
 * Reads a task's events with an offset greater than `afterOffset`. A blocking read needs a
 * connection of its own (a `consumer` connection that nothing else uses at the same time).
 *
 * When the log size cap dropped events right after `afterOffset`, the events read are preceded
 * by a `log.truncated` marker (never stored) that says how many. Its offset is the last dropped
 * one, so offsets stay unique and increasing, and resuming from the marker repeats nothing.
 */
export async function readTaskEvents(
  redis: Redis,
  keys: Keyspace,
  taskId: string,
  afterOffset: number,
  options: ReadEventsOptions = {},
): Promise<TaskEvent[]> {
  const count = options.count ?? 500;
  const key = keys.events(taskId);
  const after = Math.max(0, Math.floor(afterOffset));
  const from = `0-${after}`;
  const reply =
    options.blockMs === undefined
      ? await redis.xread('COUNT', count, 'STREAMS', key, from)
      : await redis.xread('COUNT', count, 'BLOCK', options.blockMs, 'STREAMS', key, from);
  if (!reply) return [];
  const events: TaskEvent[] = [];
  for (const [, entries] of reply) {
    for (const [id, fields] of entries) {
      events.push(decodeEntry(taskId, id, fields));
    }
  }
  const first = events[0];
  if (first && first.offset > after + 1) {
    events.unshift({
      taskId,
      offset: first.offset - 1,
      timeMs: first.timeMs,
      type: 'log.truncated',
      data: { dropped: first.offset - after - 1 },
    });
  }
  return events;
}

/** The offset of a task's last event (its `eventSeq`), or undefined when the task does not exist. */
export async function lastEventOffset(
  redis: Redis,
  keys: Keyspace,
  taskId: string,
): Promise<number | undefined> {
  const seq = await redis.hget(keys.task(taskId), 'eventSeq');
  return seq === null ? undefined : Number(seq);
}

/**
 * The offset to read after (see readTaskEvents) so that the read starts with the task's last
 * `tail` events. Only the oldest events are ever dropped, so the offsets kept are contiguous and
 * end at `eventSeq`: counting back needs no event read. When fewer than `tail` are kept, 0, so
 * that the read starts with the truncation marker if the cap dropped any.
 */
export async function tailStartOffset(
  redis: Redis,
  keys: Keyspace,
  taskId: string,
  tail: number,
): Promise<number> {
  const replies = await redis.multi().hget(keys.task(taskId), 'eventSeq').xlen(keys.events(taskId)).exec();
  const failure = replies?.find(([error]) => error !== null)?.[0];
  if (!replies || failure) throw failure ?? new Error('transaction aborted');
  const last = Number(replies[0]?.[1] ?? 0);
  const kept = Number(replies[1]?.[1] ?? 0);
  return kept < tail ? 0 : Math.max(0, last - tail);
}

function decodeEntry(taskId: string, id: string, fields: string[]): TaskEvent {
  const values: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) values[fields[i] ?? ''] = fields[i + 1] ?? '';
  const offset = Number(id.split('-')[1]);
  return {
    taskId,
    offset,
    timeMs: Number(values.time),
    type: values.type as TaskEventType,
    data: JSON.parse(values.data ?? '{}') as unknown,
  } as TaskEvent;
}
