/**
 * Lua scripts for the task state machine. Each one checks the current state and applies a
 * transition with its index moves and its event in one step, so no crash leaves half a change.
 *
 * Event ids in a task's stream are `0-<offset>`, the offset counted by the task hash's
 * `eventSeq`, so a Watch can resume from a plain number.
 *
 * The stream is capped by bytes, not by a count: the `maxlen` / `maxEventBytes` argument every
 * script takes is the task's byte budget (see `append_event`).
 */

import { APPEND_EVENT, DEPENDENCY_LUA, TERMINAL } from './lua-library';

export { EVENT_ENTRY_OVERHEAD_BYTES } from './lua-library';

/**
 * holds_attempt(task_key, attempts_key, number, worker): the fence. True only while the task is
 * running, attempt `number` is its current (last) attempt, that attempt belongs to `worker`, and
 * it has no outcome yet. A worker that lost its lock (and whose task another worker took over,
 * which opens a new attempt) fails this check, so nothing it reports afterwards is applied.
 */
export const FENCE = `
local function holds_attempt(task_key, attempts_key, number, worker)
  if redis.call('HGET', task_key, 'state') ~= 'running' then return false end
  if redis.call('LLEN', attempts_key) ~= number then return false end
  local last = redis.call('LINDEX', attempts_key, -1)
  if not last then return false end
  local current = cjson.decode(last)
  if current['workerId'] ~= worker then return false end
  return current['outcome'] == nil or current['outcome'] == cjson.null
end`;

/**
 * KEYS: task, attempts, events, index:queued, index:running, index:cancelled
 * ARGV: now, attemptJson (number filled in here), maxEvents, taskId, keyPrefix,
 *   queue the job was taken from ('' = unchecked), affinity key TTL ms
 * Returns {'started', attemptNumber} | {'missing'} | {'rerouted'} (the task was moved to another
 * queue: this job must not run) | {<state>} (not runnable: finished, or blocked
 * on dependencies) | {'cancelled'} (its cancellation was requested while a previous attempt ran;
 * now applied)
 *
 * A blocked task whose dependencies are all done (`ready`) may start before the coordinator's
 * releaser has marked it queued: its job is added first (see TaskStore.markQueued).
 */
export const START_ATTEMPT = `
${TERMINAL}
${APPEND_EVENT}
${DEPENDENCY_LUA}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing'} end
if is_terminal(state) then return {state} end
if state == 'blocked' and redis.call('HGET', KEYS[1], 'ready') ~= '1' then return {state} end
local now, maxlen, id, p = ARGV[1], ARGV[3], ARGV[4], ARGV[5]
-- Routing (task-routing.ts): a job taken from a queue the task was moved away from must not run.
local routed = redis.call('HGET', KEYS[1], 'queue')
if ARGV[6] and ARGV[6] ~= '' and routed and routed ~= ARGV[6] then return {'rerouted'} end
local created = redis.call('HGET', KEYS[1], 'createdAt')
if state == 'blocked' then
  redis.call('HDEL', KEYS[1], 'ready')
  redis.call('ZREM', key_index(p, 'blocked'), id)
  redis.call('ZREM', p .. ':ready', id)
end
if redis.call('HGET', KEYS[1], 'cancelRequested') == '1' then
  redis.call('HSET', KEYS[1], 'state', 'cancelled', 'updatedAt', now, 'endedAt', now)
  redis.call('ZREM', KEYS[4], id)
  redis.call('ZREM', KEYS[5], id)
  redis.call('ZADD', KEYS[6], created, id)
  local reason = redis.call('HGET', KEYS[1], 'cancelReason') or ''
  append_event(KEYS[1], KEYS[3], maxlen, now, 'task.state', cjson.encode({state = 'cancelled', reason = reason}))
  resolve_dependents(p, id, 'cancelled', now, maxlen)
  return {'cancelled'}
end
local attempt = cjson.decode(ARGV[2])
if state == 'running' then
  -- Delivered again while an attempt is still open: its worker died (or lost its lock).
  local last = redis.call('LINDEX', KEYS[2], -1)
  if last then
    local previous = cjson.decode(last)
    if previous['outcome'] == nil then
      previous['outcome'] = 'failed'
      previous['error'] = 'worker lost: the task was taken over by ' .. tostring(attempt['workerId'])
      previous['endedAtMs'] = tonumber(now)
      redis.call('LSET', KEYS[2], -1, cjson.encode(previous))
    end
  end
end
local number = redis.call('LLEN', KEYS[2]) + 1
attempt['number'] = number
redis.call('RPUSH', KEYS[2], cjson.encode(attempt))
redis.call('HSET', KEYS[1], 'state', 'running', 'updatedAt', now)
redis.call('HSETNX', KEYS[1], 'startedAt', now)
redis.call('ZREM', KEYS[4], id)
redis.call('ZADD', KEYS[5], created, id)
local affinity = redis.call('HGET', KEYS[1], 'affinity')
if affinity then redis.call('SET', p .. ':affinity:' .. affinity, attempt['workerId'], 'PX', ARGV[7]) end
append_event(KEYS[1], KEYS[3], maxlen, now, 'task.state',
  cjson.encode({state = 'running', workerId = attempt['workerId'], attempt = number}))
return {'started', number}
`;

/**
 * KEYS: task, attempts, events, index:running, index:<final>
 * ARGV: now, finalState, attemptNumber, attemptJson, resultJson or '', errorJson or '', reason, maxEvents, taskId, keyPrefix,
 *   workerId ('' = unfenced: the queue itself settles a job it gave up)
 * Returns {'finished'} | {'missing'} | {'fenced'} (the caller no longer holds the task's current
 *   attempt: nothing is written) | {<terminal state it already had>}
 * Its dependents take the outcome in the same step (resolve_dependents).
 */
export const FINISH_ATTEMPT = `
${TERMINAL}
${APPEND_EVENT}
${DEPENDENCY_LUA}
${FENCE}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing'} end
local now, final, number, maxlen, id = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[8], ARGV[9]
if ARGV[11] ~= '' and not holds_attempt(KEYS[1], KEYS[2], number, ARGV[11]) then return {'fenced'} end
if is_terminal(state) then return {state} end
local created = redis.call('HGET', KEYS[1], 'createdAt')
redis.call('HSET', KEYS[1], 'state', final, 'updatedAt', now, 'endedAt', now)
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'result', ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'error', ARGV[6]) end
if number > 0 and number <= redis.call('LLEN', KEYS[2]) then
  redis.call('LSET', KEYS[2], number - 1, ARGV[4])
end
redis.call('ZREM', KEYS[4], id)
redis.call('ZADD', KEYS[5], created, id)
local event = {state = final}
local reason = ARGV[7]
if final == 'cancelled' and reason == '' then reason = redis.call('HGET', KEYS[1], 'cancelReason') or '' end
if reason ~= '' then event['reason'] = reason end
append_event(KEYS[1], KEYS[3], maxlen, now, 'task.state', cjson.encode(event))
resolve_dependents(ARGV[10], id, final, now, maxlen)
return {'finished'}
`;

/**
 * KEYS: task, events, index:queued, index:cancelled
 * ARGV: now, reason, maxEvents, taskId, keyPrefix
 * Returns {'cancelled'} (was queued or blocked) | {'requested'} (running: the holder must stop it)
 *   | {'missing'} | {<terminal state>}
 * A task cancelled here passes `cancelled` to its dependents in the same step.
 */
export const CANCEL = `
${TERMINAL}
${APPEND_EVENT}
${DEPENDENCY_LUA}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing'} end
if is_terminal(state) then return {'finished', state} end
local now, reason, maxlen, id, p = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
redis.call('HSET', KEYS[1], 'cancelReason', reason)
if state == 'blocked' then
  end_unrun(p, id, 'cancelled', reason, '', now, maxlen)
  resolve_dependents(p, id, 'cancelled', now, maxlen)
  return {'cancelled'}
end
if state == 'queued' then
  local created = redis.call('HGET', KEYS[1], 'createdAt')
  redis.call('HSET', KEYS[1], 'state', 'cancelled', 'updatedAt', now, 'endedAt', now)
  redis.call('ZREM', KEYS[3], id)
  redis.call('ZADD', KEYS[4], created, id)
  append_event(KEYS[1], KEYS[2], maxlen, now, 'task.state', cjson.encode({state = 'cancelled', reason = reason}))
  resolve_dependents(p, id, 'cancelled', now, maxlen)
  return {'cancelled'}
end
redis.call('HSET', KEYS[1], 'cancelRequested', '1', 'updatedAt', now)
append_event(KEYS[1], KEYS[2], maxlen, now, 'worker.log', cjson.encode({message = 'cancel requested', reason = reason}))
return {'requested'}
`;

/**
 * KEYS: task, events, attempts
 * ARGV: maxEventBytes, now, workerId ('' = unfenced), attemptNumber, then (type, dataJson) pairs
 * Returns the last offset written, 0 when the task does not exist, or -1 when a worker's events
 * are fenced off (it no longer holds the task's current attempt).
 */
export const APPEND_EVENTS = `
${APPEND_EVENT}
${FENCE}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[3] ~= '' and not holds_attempt(KEYS[1], KEYS[3], tonumber(ARGV[4]), ARGV[3]) then return -1 end
local seq = 0
for i = 5, #ARGV, 2 do
  seq = append_event(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[i], ARGV[i + 1])
end
return seq
`;

/**
 * Hands a running task back to the queue after an attempt that failed for the infrastructure
 * (it will be retried) or that was handed back (shutdown, rate limit). The attempt is closed.
 * KEYS: task, attempts, events, index:running, index:queued
 * ARGV: now, attemptNumber, attemptJson, reason, maxEventBytes, taskId, workerId
 * Returns {'requeued'} | {'missing'} | {'fenced'} (the caller no longer holds the task's current
 *   attempt) | {<state>} when the task is not running any more
 */
export const REQUEUE_ATTEMPT = `
${APPEND_EVENT}
${FENCE}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing'} end
if state ~= 'running' then return {state} end
local now, number, reason, maxlen, id = ARGV[1], tonumber(ARGV[2]), ARGV[4], ARGV[5], ARGV[6]
if not holds_attempt(KEYS[1], KEYS[2], number, ARGV[7]) then return {'fenced'} end
redis.call('LSET', KEYS[2], number - 1, ARGV[3])
local created = redis.call('HGET', KEYS[1], 'createdAt')
redis.call('HSET', KEYS[1], 'state', 'queued', 'updatedAt', now)
redis.call('ZREM', KEYS[4], id)
redis.call('ZADD', KEYS[5], created, id)
append_event(KEYS[1], KEYS[3], maxlen, now, 'task.state', cjson.encode({state = 'queued', reason = reason}))
return {'requeued'}
`;

/**
 * Records an attempt's progress (agent started, session id) while its worker holds it.
 * KEYS: task, attempts
 * ARGV: attemptNumber, attemptJson, workerId
 * Returns 1 when written, 0 when fenced off.
 */
export const UPDATE_ATTEMPT = `
${FENCE}
local number = tonumber(ARGV[1])
if not holds_attempt(KEYS[1], KEYS[2], number, ARGV[3]) then return 0 end
redis.call('LSET', KEYS[2], number - 1, ARGV[2])
return 1
`;

/**
 * Whether a worker still holds a task's current attempt (the fence, read-only).
 * KEYS: task, attempts
 * ARGV: attemptNumber, workerId
 * Returns 1 or 0.
 */
export const HOLDS_ATTEMPT = `
${FENCE}
if holds_attempt(KEYS[1], KEYS[2], tonumber(ARGV[1]), ARGV[2]) then return 1 end
return 0
`;

/**
 * Removes a finished task and everything it owns (record, attempts, events, index entries) when
 * it ended before the cutoff. A task that is not finished, or ended later, is left alone.
 * KEYS: task, attempts, events, index:all, index:completed, index:failed, index:cancelled, patch, deps, dependents
 * ARGV: cutoffMs, taskId
 * Returns 1 when removed, 0 otherwise.
 */
export const REMOVE_IF_EXPIRED = `
local state = redis.call('HGET', KEYS[1], 'state')
local id = ARGV[2]
if not state then
  -- Already gone: drop stale index entries.
  for i = 4, 7 do redis.call('ZREM', KEYS[i], id) end
  return 0
end
if state ~= 'completed' and state ~= 'failed' and state ~= 'cancelled' then return 0 end
local ended = tonumber(redis.call('HGET', KEYS[1], 'endedAt') or '0')
if ended >= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[8], KEYS[9], KEYS[10])
for i = 4, 7 do redis.call('ZREM', KEYS[i], id) end
return 1
`;
