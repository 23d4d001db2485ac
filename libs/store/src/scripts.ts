/**
 * Lua scripts for the task state machine. Each one checks the current state and applies a
 * transition with its index moves and its event in one step, so no crash leaves half a change.
 *
 * Event ids in a task's stream are `0-<offset>`, the offset counted by the task hash's
 * `eventSeq`, so a Watch can resume from a plain number.
 */

const TERMINAL = `local function is_terminal(s) return s == 'completed' or s == 'failed' or s == 'cancelled' end`;

const APPEND_EVENT = `
local function append_event(task_key, events_key, maxlen, now, type, data)
  local seq = redis.call('HINCRBY', task_key, 'eventSeq', 1)
  redis.call('XADD', events_key, 'MAXLEN', '~', maxlen, '0-' .. seq, 'type', type, 'time', now, 'data', data)
  return seq
end`;

/**
 * KEYS: task, attempts, events, index:queued, index:running, index:cancelled
 * ARGV: now, attemptJson (number filled in here), maxEvents, taskId
 * Returns {'started', attemptNumber} | {'missing'} | {<terminal state>} (not runnable)
 *   | {'cancelled'} (its cancellation was requested while a previous attempt ran; now applied)
 */
export const START_ATTEMPT = `
${TERMINAL}
${APPEND_EVENT}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing'} end
if is_terminal(state) then return {state} end
local now, maxlen, id = ARGV[1], ARGV[3], ARGV[4]
local created = redis.call('HGET', KEYS[1], 'createdAt')
if redis.call('HGET', KEYS[1], 'cancelRequested') == '1' then
  redis.call('HSET', KEYS[1], 'state', 'cancelled', 'updatedAt', now, 'endedAt', now)
  redis.call('ZREM', KEYS[4], id)
  redis.call('ZREM', KEYS[5], id)
  redis.call('ZADD', KEYS[6], created, id)
  local reason = redis.call('HGET', KEYS[1], 'cancelReason') or ''
  append_event(KEYS[1], KEYS[3], maxlen, now, 'task.state', cjson.encode({state = 'cancelled', reason = reason}))
  return {'cancelled'}
end
local attempt = cjson.decode(ARGV[2])
local number = redis.call('LLEN', KEYS[2]) + 1
attempt['number'] = number
redis.call('RPUSH', KEYS[2], cjson.encode(attempt))
redis.call('HSET', KEYS[1], 'state', 'running', 'updatedAt', now)
redis.call('HSETNX', KEYS[1], 'startedAt', now)
redis.call('ZREM', KEYS[4], id)
redis.call('ZADD', KEYS[5], created, id)
append_event(KEYS[1], KEYS[3], maxlen, now, 'task.state',
  cjson.encode({state = 'running', workerId = attempt['workerId'], attempt = number}))
return {'started', number}
`;

/**
 * KEYS: task, attempts, events, index:running, index:<final>
 * ARGV: now, finalState, attemptNumber, attemptJson, resultJson or '', errorJson or '', reason, maxEvents, taskId
 * Returns {'finished'} | {'missing'} | {<terminal state it already had>}
 */
export const FINISH_ATTEMPT = `
${TERMINAL}
${APPEND_EVENT}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing'} end
if is_terminal(state) then return {state} end
local now, final, number, maxlen, id = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[8], ARGV[9]
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
return {'finished'}
`;

/**
 * KEYS: task, events, index:queued, index:cancelled
 * ARGV: now, reason, maxEvents, taskId
 * Returns {'cancelled'} (was queued) | {'requested'} (running: the holder must stop it) | {'missing'} | {<terminal state>}
 */
export const CANCEL = `
${TERMINAL}
${APPEND_EVENT}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing'} end
if is_terminal(state) then return {'finished', state} end
local now, reason, maxlen, id = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
redis.call('HSET', KEYS[1], 'cancelReason', reason)
if state == 'queued' then
  local created = redis.call('HGET', KEYS[1], 'createdAt')
  redis.call('HSET', KEYS[1], 'state', 'cancelled', 'updatedAt', now, 'endedAt', now)
  redis.call('ZREM', KEYS[3], id)
  redis.call('ZADD', KEYS[4], created, id)
  append_event(KEYS[1], KEYS[2], maxlen, now, 'task.state', cjson.encode({state = 'cancelled', reason = reason}))
  return {'cancelled'}
end
redis.call('HSET', KEYS[1], 'cancelRequested', '1', 'updatedAt', now)
append_event(KEYS[1], KEYS[2], maxlen, now, 'worker.log', cjson.encode({message = 'cancel requested', reason = reason}))
return {'requested'}
`;

/**
 * KEYS: task, events
 * ARGV: maxEvents, now, then (type, dataJson) pairs
 * Returns the last offset written, or 0 when the task does not exist.
 */
export const APPEND_EVENTS = `
${APPEND_EVENT}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local seq = 0
for i = 3, #ARGV, 2 do
  seq = append_event(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[i], ARGV[i + 1])
end
return seq
`;
