import type { Redis } from 'ioredis';
import type { Priority, TaskSpec } from '@claudine/core';
import type { Keyspace } from './keyspace';
import { APPEND_EVENT, TERMINAL } from './lua-library';
import { DEFAULT_MAX_EVENT_BYTES_PER_TASK } from './task-store';

/**
 * Moves a task's job to another queue, compare-and-set on the task hash's `queue` field: the
 * field changes only while it still names `from`, the task has not started (or, with
 * `deadWorker`, runs an attempt of that dead worker), and not finished. The caller then adds the
 * job to `to` and removes the old one; a worker that took the old job meanwhile is refused at
 * START_ATTEMPT (`rerouted`), so the task never runs twice. The task stays in the
 * affinity-routed set until its job is in `to` (forgetRouted): a crash in between is finished
 * by the next pass, which finds the task routed to a queue that is not its worker's.
 * KEYS: task (the other keys share its hash tag)
 * ARGV: prefix, taskId, from, to, deadWorker ('' = only a task that waits), now, maxEventBytes, reason
 * Returns 'rerouted' | 'gone' (missing or finished) | 'moved' (not in `from` any more) | 'running' | 'blocked'
 */
const REROUTE = `
${TERMINAL}
${APPEND_EVENT}
local p, id, from, to, dead, now, maxlen, reason = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local tk = KEYS[1]
local routed = p .. ':affinity-routed'
local state = redis.call('HGET', tk, 'state')
if not state or is_terminal(state) then
  redis.call('ZREM', routed, id)
  return 'gone'
end
if redis.call('HGET', tk, 'queue') ~= from then
  redis.call('ZREM', routed, id)
  return 'moved'
end
if state == 'running' then
  if dead == '' then return 'running' end
  local last = redis.call('LINDEX', tk .. ':attempts', -1)
  if not last or cjson.decode(last)['workerId'] ~= dead then return 'running' end
elseif state == 'blocked' and redis.call('HGET', tk, 'ready') ~= '1' then
  return 'blocked'
end
redis.call('HSET', tk, 'queue', to)
append_event(tk, tk .. ':events', maxlen, now, 'worker.log',
  cjson.encode({message = 'moved to queue ' .. to .. ': ' .. reason, from = from, to = to}))
return 'rerouted'
`;

/**
 * Sets (or, with '', clears) a queued task's waitingReason, with a worker.log event when it
 * changes; a task that is not queued any more loses its reason.
 * KEYS: task
 * ARGV: prefix, taskId, reason, now, maxEventBytes
 * Returns 1 when the reason changed, else 0.
 */
const SET_WAITING_REASON = `
${APPEND_EVENT}
local p, id, reason, now, maxlen = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local tk = KEYS[1]
local state = redis.call('HGET', tk, 'state')
if state ~= 'queued' then
  redis.call('SREM', p .. ':waiting', id)
  if state then redis.call('HDEL', tk, 'waitingReason') end
  return 0
end
local current = redis.call('HGET', tk, 'waitingReason') or ''
if current == reason then return 0 end
if reason == '' then
  redis.call('HDEL', tk, 'waitingReason')
  redis.call('SREM', p .. ':waiting', id)
  append_event(tk, tk .. ':events', maxlen, now, 'worker.log',
    cjson.encode({message = 'a worker that can take it is live', waitingReason = ''}))
else
  redis.call('HSET', tk, 'waitingReason', reason)
  redis.call('SADD', p .. ':waiting', id)
  append_event(tk, tk .. ':events', maxlen, now, 'worker.log',
    cjson.encode({message = 'waiting: ' .. reason, waitingReason = reason}))
end
return 1
`;

interface RoutingRedis extends Redis {
  claudineReroute(...args: (string | number)[]): Promise<string>;
  claudineSetWaitingReason(...args: (string | number)[]): Promise<number>;
}

export type RerouteOutcome = 'rerouted' | 'gone' | 'moved' | 'running' | 'blocked';

/** What the routing duty reads of a task. */
export interface RoutedTaskInfo {
  taskId: string;
  state: string;
  queue: string;
  requires: string[];
  priority: Priority;
  maxAttempts: number;
}

/** A task routed to a preferred worker's queue, with the time it falls back. */
export interface AffinityRoutedTask {
  taskId: string;
  deadlineMs: number;
}

/** The Redis side of routing that runs after creation: moves between queues and waiting reasons. */
export class RoutingStore {
  private readonly redis: RoutingRedis;
  private readonly maxEventBytes: number;

  constructor(
    redis: Redis,
    private readonly keys: Keyspace,
    options: { maxEventBytesPerTask?: number } = {},
  ) {
    this.maxEventBytes = options.maxEventBytesPerTask ?? DEFAULT_MAX_EVENT_BYTES_PER_TASK;
    // The task key is passed as a key so that a Redis Cluster sends the script to its slot.
    redis.defineCommand('claudineReroute', { numberOfKeys: 1, lua: REROUTE });
    redis.defineCommand('claudineSetWaitingReason', { numberOfKeys: 1, lua: SET_WAITING_REASON });
    this.redis = redis as RoutingRedis;
  }

  /** Compare-and-set of the task's queue (see REROUTE); the caller moves the job after 'rerouted'. */
  async reroute(input: {
    taskId: string;
    from: string;
    to: string;
    reason: string;
    /** Also move a task that runs an attempt of this (dead) worker. */
    deadWorkerId?: string;
    nowMs?: number;
  }): Promise<RerouteOutcome> {
    return (await this.redis.claudineReroute(
      this.keys.task(input.taskId),
      this.keys.prefix,
      input.taskId,
      input.from,
      input.to,
      input.deadWorkerId ?? '',
      input.nowMs ?? Date.now(),
      this.maxEventBytes,
      input.reason,
    )) as RerouteOutcome;
  }

  /** Tasks waiting for a preferred worker, soonest deadline first. */
  async affinityRouted(limit = 1_000): Promise<AffinityRoutedTask[]> {
    const flat = await this.redis.zrange(this.keys.affinityRouted, 0, limit - 1, 'WITHSCORES');
    const routed: AffinityRoutedTask[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2)
      routed.push({ taskId: flat[i] as string, deadlineMs: Number(flat[i + 1]) });
    return routed;
  }

  /** Each task's state, routed queue and what its job needs (undefined: no such task). */
  async routingOf(taskIds: readonly string[]): Promise<(RoutedTaskInfo | undefined)[]> {
    if (taskIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of taskIds) pipeline.hmget(this.keys.task(id), 'state', 'queue', 'spec');
    const results = (await pipeline.exec()) ?? [];
    return results.map(([, value], i) => {
      const [state, queue, specJson] = (value ?? []) as (string | null)[];
      if (!state) return undefined;
      let spec: Partial<Pick<TaskSpec, 'requires' | 'priority' | 'maxAttempts'>> = {};
      try {
        spec = JSON.parse(specJson ?? '{}') as typeof spec;
      } catch {
        // An unreadable spec: the defaults below.
      }
      return {
        taskId: taskIds[i] ?? '',
        state,
        queue: queue ?? '',
        requires: spec.requires ?? [],
        priority: spec.priority ?? 'P2',
        maxAttempts: spec.maxAttempts ?? 1,
      };
    });
  }

  /** Drops a task from the affinity-routed set (its job is where its `queue` field says). */
  async forgetRouted(taskId: string): Promise<void> {
    await this.redis.zrem(this.keys.affinityRouted, taskId);
  }

  /** Sets a queued task's waiting reason ('' clears it). @returns true when it changed */
  async setWaitingReason(taskId: string, reason: string, nowMs = Date.now()): Promise<boolean> {
    return (
      (await this.redis.claudineSetWaitingReason(
        this.keys.task(taskId),
        this.keys.prefix,
        taskId,
        reason,
        nowMs,
        this.maxEventBytes,
      )) === 1
    );
  }

  /** Tasks that carry a waiting reason now. */
  waitingTaskIds(): Promise<string[]> {
    return this.redis.smembers(this.keys.waitingTasks);
  }

  /** The worker that last started a task with this affinity key. */
  async affinityWorker(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.affinity(key))) ?? undefined;
  }

  /** The worker of a task's last attempt. */
  async lastAttemptWorker(taskId: string): Promise<string | undefined> {
    const last = await this.redis.lindex(this.keys.attempts(taskId), -1);
    if (!last) return undefined;
    try {
      const attempt = JSON.parse(last) as { workerId?: unknown };
      return typeof attempt.workerId === 'string' ? attempt.workerId : undefined;
    } catch {
      return undefined;
    }
  }
}
