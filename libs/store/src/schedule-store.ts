import type { Redis } from 'ioredis';
import {
  AppError,
  DEFAULT_TENANT,
  SCHEDULE_LIMITS,
  ScheduleSpecSchema,
  type Schedule,
  type ScheduleRun,
  type ScheduleSpec,
  type ScheduleState,
} from '@claudine/core';
import type { Keyspace } from './keyspace';

/**
 * Moves a schedule from one of the allowed states to another, with its index.
 * ARGV: prefix, id, now, to, reason, nextFireAt ('' to clear), lastFireAt ('' to keep), allowed
 *   from-states... (keys are built from the prefix)
 * Returns {'ok', from} | {'missing'} | {'refused', state}
 */
const SET_STATE = `
local p, id, now, to, reason, nextFire = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local key = p .. ':schedule:' .. id
local state = redis.call('HGET', key, 'state')
if not state then return {'missing'} end
local allowed = false
for i = 8, #ARGV do if ARGV[i] == state then allowed = true end end
if not allowed then return {'refused', state} end
redis.call('HSET', key, 'state', to, 'stateReason', reason, 'updatedAt', now)
if nextFire == '' then redis.call('HDEL', key, 'nextFireAt') else redis.call('HSET', key, 'nextFireAt', nextFire) end
if ARGV[7] ~= '' then redis.call('HSET', key, 'lastFireAt', ARGV[7]) end
local created = redis.call('HGET', key, 'createdAt')
redis.call('ZREM', p .. ':schedules:state:' .. state, id)
redis.call('ZADD', p .. ':schedules:state:' .. to, created, id)
return {'ok', state}
`;

/**
 * Records what one fire did, once: refused when the schedule is no longer active or a fire at or
 * after this time was already recorded (another coordinator got there first).
 * ARGV: prefix, id, now, handledUpToMs, runsAdded, lastTaskId or '', nextFireAt or '', newState or '',
 *   reason, historyMax, run JSON entries...
 * Returns {'recorded', runCount} | {'missing'} | {'inactive', state} | {'duplicate'}
 */
const RECORD_FIRE = `
local p, id, now, upto, added = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local lastTask, nextFire, newState, reason, historyMax = ARGV[6], ARGV[7], ARGV[8], ARGV[9], tonumber(ARGV[10])
local key = p .. ':schedule:' .. id
local state = redis.call('HGET', key, 'state')
if not state then return {'missing'} end
if state ~= 'active' then return {'inactive', state} end
local last = tonumber(redis.call('HGET', key, 'lastFireAt') or '-1')
if upto <= last then return {'duplicate'} end
redis.call('HSET', key, 'lastFireAt', upto, 'updatedAt', now)
local count = redis.call('HINCRBY', key, 'runCount', added)
if lastTask ~= '' then redis.call('HSET', key, 'lastTaskId', lastTask) end
if nextFire == '' then redis.call('HDEL', key, 'nextFireAt') else redis.call('HSET', key, 'nextFireAt', nextFire) end
for i = 11, #ARGV do redis.call('RPUSH', p .. ':schedule:' .. id .. ':runs', ARGV[i]) end
redis.call('LTRIM', p .. ':schedule:' .. id .. ':runs', -historyMax, -1)
if newState ~= '' then
  redis.call('HSET', key, 'state', newState, 'stateReason', reason)
  local created = redis.call('HGET', key, 'createdAt')
  redis.call('ZREM', p .. ':schedules:state:active', id)
  redis.call('ZADD', p .. ':schedules:state:' .. newState, created, id)
end
return {'recorded', count}
`;

/**
 * Replaces the spec of an active or paused schedule, and its next fire time when active.
 * ARGV: prefix, id, now, specJson, nextFireAt or ''. Returns {'ok', state} | {'missing'} | {'refused', state}
 */
const UPDATE_SPEC = `
local p, id, now, spec, nextFire = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local key = p .. ':schedule:' .. id
local state = redis.call('HGET', key, 'state')
if not state then return {'missing'} end
if state ~= 'active' and state ~= 'paused' then return {'refused', state} end
redis.call('HSET', key, 'spec', spec, 'updatedAt', now)
if state == 'active' then
  if nextFire == '' then redis.call('HDEL', key, 'nextFireAt') else redis.call('HSET', key, 'nextFireAt', nextFire) end
end
return {'ok', state}
`;

interface ScheduleRedis extends Redis {
  claudineScheduleUpdateSpec(...args: (string | number)[]): Promise<string[]>;
  claudineScheduleSetState(...args: (string | number)[]): Promise<string[]>;
  claudineScheduleRecordFire(...args: (string | number)[]): Promise<[string, number?]>;
}

/** What one fire did, for `recordFire`. */
export interface FireRecord {
  /** The latest fire time this fire handled (queued, skipped or missed). */
  handledUpToMs: number;
  runs: ScheduleRun[];
  /** Runs that queued a task. */
  runsAdded: number;
  lastTaskId?: string;
  nextFireAtMs?: number;
  /** Set when the fire ends the schedule (completed, expired) or pauses it (policy fail). */
  newState?: ScheduleState;
  reason?: string;
}

/** Schedules in Redis: their records, states (Lua, with their indexes) and run history. */
export class ScheduleStore {
  private readonly redis: ScheduleRedis;

  constructor(
    redis: Redis,
    private readonly keys: Keyspace,
  ) {
    // numberOfKeys 1: KEYS[1] is a key in the prefix's hash-tag slot, declared only so that a Redis
    // Cluster routes the script to the node owning that slot (a script with no keys goes to any
    // node, which refuses the keys the script builds from the prefix in ARGV[1]).
    redis.defineCommand('claudineScheduleSetState', { numberOfKeys: 1, lua: SET_STATE });
    redis.defineCommand('claudineScheduleRecordFire', { numberOfKeys: 1, lua: RECORD_FIRE });
    redis.defineCommand('claudineScheduleUpdateSpec', { numberOfKeys: 1, lua: UPDATE_SPEC });
    this.redis = redis as ScheduleRedis;
  }

  async create(
    id: string,
    spec: ScheduleSpec,
    nowMs: number,
    nextFireAtMs: number | undefined,
    tenant: string = DEFAULT_TENANT,
  ): Promise<void> {
    const k = this.keys;
    const multi = this.redis.multi();
    multi.hset(k.schedule(id), {
      id,
      tenant,
      spec: JSON.stringify(spec),
      state: 'active',
      createdAt: nowMs,
      updatedAt: nowMs,
      runCount: 0,
      ...(nextFireAtMs === undefined ? {} : { nextFireAt: nextFireAtMs }),
    });
    multi.zadd(k.allSchedules, nowMs, id);
    multi.zadd(k.schedulesInState('active'), nowMs, id);
    const results = await multi.exec();
    const failure = results?.find(([error]) => error !== null)?.[0];
    if (!results || failure)
      throw new AppError('INTERNAL', `could not write schedule ${id}: ${failure?.message ?? 'aborted'}`);
  }

  async get(id: string): Promise<Schedule | undefined> {
    const [[hashError, hash], [runsError, runs]] = (await this.redis
      .multi()
      .hgetall(this.keys.schedule(id))
      .lrange(this.keys.scheduleRuns(id), 0, -1)
      .exec()) as [[Error | null, Record<string, string>], [Error | null, string[]]];
    const readError = hashError ?? runsError;
    if (readError) throw readError;
    if (!hash.state) return undefined;
    const number = (text: string | undefined) =>
      text === undefined || text === '' ? undefined : Number(text);
    return {
      id,
      // Schedules written before tenancy belong to the default tenant.
      tenant: hash.tenant || DEFAULT_TENANT,
      spec: ScheduleSpecSchema.parse(JSON.parse(hash.spec ?? '{}')),
      state: hash.state as ScheduleState,
      stateReason: hash.stateReason || undefined,
      createdAtMs: Number(hash.createdAt),
      updatedAtMs: Number(hash.updatedAt),
      runCount: Number(hash.runCount ?? 0),
      lastFireAtMs: number(hash.lastFireAt),
      nextFireAtMs: number(hash.nextFireAt),
      lastTaskId: hash.lastTaskId || undefined,
      history: runs.map((run) => JSON.parse(run) as ScheduleRun),
    };
  }

  async getOrThrow(id: string): Promise<Schedule> {
    const schedule = await this.get(id);
    if (!schedule) throw new AppError('SCHEDULE_NOT_FOUND', `schedule ${id} does not exist`);
    return schedule;
  }

  /**
   * Newest first, optionally in some states and of one tenant; the page token is an offset (into
   * the filtered list: schedules are few, and the tenant filter reads each candidate's tenant).
   */
  async list(
    states: readonly ScheduleState[],
    pageSize: number,
    offset: number,
    tenant?: string,
  ): Promise<{ ids: string[]; next: number | undefined }> {
    const k = this.keys;
    let ids: string[];
    if (tenant !== undefined) {
      const candidates =
        states.length === 0
          ? await this.redis.zrevrange(k.allSchedules, 0, -1)
          : await this.idsInStates(states);
      const pipeline = this.redis.pipeline();
      for (const id of candidates) pipeline.hget(k.schedule(id), 'tenant');
      const tenants = (await pipeline.exec()) ?? [];
      ids = candidates
        .filter((_, i) => ((tenants[i]?.[1] as string | null) || DEFAULT_TENANT) === tenant)
        .slice(offset, offset + pageSize + 1);
    } else if (states.length === 0) {
      ids = await this.redis.zrevrange(k.allSchedules, offset, offset + pageSize);
    } else {
      ids = (await this.idsInStates(states)).slice(offset, offset + pageSize + 1);
    }
    const more = ids.length > pageSize;
    return { ids: ids.slice(0, pageSize), next: more ? offset + pageSize : undefined };
  }

  /** Every schedule id in these states, newest first. */
  private async idsInStates(states: readonly ScheduleState[]): Promise<string[]> {
    const all = await Promise.all(
      states.map((state) => this.redis.zrevrange(this.keys.schedulesInState(state), 0, -1, 'WITHSCORES')),
    );
    const scored: { id: string; score: number }[] = [];
    for (const flat of all)
      for (let i = 0; i + 1 < flat.length; i += 2) scored.push({ id: flat[i]!, score: Number(flat[i + 1]) });
    scored.sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : -1));
    return scored.map((entry) => entry.id);
  }

  /**
   * Moves a schedule to `to` when it is in one of `from`.
   * @throws AppError SCHEDULE_NOT_FOUND, or SCHEDULE_STATE_INVALID naming its state
   */
  async setState(
    id: string,
    from: readonly ScheduleState[],
    to: ScheduleState,
    reason: string,
    nextFireAtMs: number | undefined,
    options: { lastFireAtMs?: number; nowMs?: number } = {},
  ): Promise<ScheduleState> {
    const nowMs = options.nowMs ?? Date.now();
    const [outcome, state] = await this.redis.claudineScheduleSetState(
      this.keys.schedule(id),
      this.keys.prefix,
      id,
      nowMs,
      to,
      reason,
      nextFireAtMs ?? '',
      options.lastFireAtMs ?? '',
      ...from,
    );
    if (outcome === 'missing') throw new AppError('SCHEDULE_NOT_FOUND', `schedule ${id} does not exist`);
    if (outcome === 'refused')
      throw new AppError('SCHEDULE_STATE_INVALID', `schedule ${id} is ${state}: it cannot become ${to}`);
    return state as ScheduleState;
  }

  /** @returns false when the fire was not recorded: the schedule is inactive, or the fire was handled already */
  async recordFire(id: string, record: FireRecord, nowMs = Date.now()): Promise<boolean> {
    const [outcome] = await this.redis.claudineScheduleRecordFire(
      this.keys.schedule(id),
      this.keys.prefix,
      id,
      nowMs,
      record.handledUpToMs,
      record.runsAdded,
      record.lastTaskId ?? '',
      record.nextFireAtMs ?? '',
      record.newState ?? '',
      record.reason ?? '',
      SCHEDULE_LIMITS.historyMax,
      ...record.runs.map((run) => JSON.stringify(run)),
    );
    return outcome === 'recorded';
  }

  /**
   * Replaces the spec of an active or paused schedule (and an active one's next fire time).
   * @throws AppError SCHEDULE_NOT_FOUND, SCHEDULE_STATE_INVALID
   */
  async updateSpec(
    id: string,
    spec: ScheduleSpec,
    nextFireAtMs: number | undefined,
    nowMs = Date.now(),
  ): Promise<ScheduleState> {
    const [outcome, state] = await this.redis.claudineScheduleUpdateSpec(
      this.keys.schedule(id),
      this.keys.prefix,
      id,
      nowMs,
      JSON.stringify(spec),
      nextFireAtMs ?? '',
    );
    if (outcome === 'missing') throw new AppError('SCHEDULE_NOT_FOUND', `schedule ${id} does not exist`);
    if (outcome === 'refused')
      throw new AppError('SCHEDULE_STATE_INVALID', `schedule ${id} is ${state}: it cannot be changed`);
    return state as ScheduleState;
  }

  /** Active schedules, for the firer's reconciliation. */
  activeScheduleIds(): Promise<string[]> {
    return this.redis.zrange(this.keys.schedulesInState('active'), 0, -1);
  }
}
