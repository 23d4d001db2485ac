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
  const from = `0-${Math.max(0, Math.floor(afterOffset))}`;
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
  return events;
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
