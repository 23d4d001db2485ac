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

/**
 * The size counted for one stored event: `#type + #data` plus this, for its id, time and field
 * names. TaskStore.create counts the first event the same way.
 */
export const EVENT_ENTRY_OVERHEAD_BYTES = 32;

const TERMINAL = `local function is_terminal(s) return s == 'completed' or s == 'failed' or s == 'cancelled' end`;

/**
 * append_event(task_key, events_key, max_bytes, now, type, data): numbers and appends one event,
 * then keeps the stream within `max_bytes`. The task hash counts the stream's size in
 * `eventBytes`; while it is over budget, the oldest entries are deleted (never the newest) and
 * their number is added to `droppedEvents`. Drops only ever come from the head, so the offsets
 * kept are contiguous.
 */
const APPEND_EVENT = `
local function event_size(type, data) return #type + #data + ${EVENT_ENTRY_OVERHEAD_BYTES} end
local function append_event(task_key, events_key, max_bytes, now, type, data)
  local seq = redis.call('HINCRBY', task_key, 'eventSeq', 1)
  local newest = '0-' .. seq
  redis.call('XADD', events_key, newest, 'type', type, 'time', now, 'data', data)
  local total = redis.call('HINCRBY', task_key, 'eventBytes', event_size(type, data))
  local budget = tonumber(max_bytes)
  if total <= budget then return seq end
  local dropped = 0
  while total > budget do
    local ids = {}
    for _, entry in ipairs(redis.call('XRANGE', events_key, '-', '+', 'COUNT', 16)) do
      if entry[1] == newest or total <= budget then break end
      local fields = {}
      for i = 1, #entry[2], 2 do fields[entry[2][i]] = entry[2][i + 1] end
      total = total - event_size(fields['type'] or '', fields['data'] or '')
      ids[#ids + 1] = entry[1]
    end
    if #ids == 0 then break end
    redis.call('XDEL', events_key, unpack(ids))
    dropped = dropped + #ids
  end
  if total < 0 then total = 0 end
  redis.call('HSET', task_key, 'eventBytes', total)
  if dropped > 0 then redis.call('HINCRBY', task_key, 'droppedEvents', dropped) end
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
 * ARGV: maxEventBytes, now, then (type, dataJson) pairs
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

/**
 * Hands a running task back to the queue after an attempt that failed for the infrastructure
 * (it will be retried) or that was handed back (shutdown, rate limit). The attempt is closed.
 * KEYS: task, attempts, events, index:running, index:queued
 * ARGV: now, attemptNumber, attemptJson, reason, maxEventBytes, taskId
 * Returns {'requeued'} | {'missing'} | {<state>} when the task is not running any more
 */
export const REQUEUE_ATTEMPT = `
${APPEND_EVENT}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing'} end
if state ~= 'running' then return {state} end
local now, number, reason, maxlen, id = ARGV[1], tonumber(ARGV[2]), ARGV[4], ARGV[5], ARGV[6]
if number > 0 and number <= redis.call('LLEN', KEYS[2]) then
  redis.call('LSET', KEYS[2], number - 1, ARGV[3])
end
local created = redis.call('HGET', KEYS[1], 'createdAt')
redis.call('HSET', KEYS[1], 'state', 'queued', 'updatedAt', now)
redis.call('ZREM', KEYS[4], id)
redis.call('ZADD', KEYS[5], created, id)
append_event(KEYS[1], KEYS[3], maxlen, now, 'task.state', cjson.encode({state = 'queued', reason = reason}))
return {'requeued'}
`;

/**
 * Removes a finished task and everything it owns (record, attempts, events, index entries) when
 * it ended before the cutoff. A task that is not finished, or ended later, is left alone.
 * KEYS: task, attempts, events, index:all, index:completed, index:failed, index:cancelled, patch
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
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[8])
for i = 4, 7 do redis.call('ZREM', KEYS[i], id) end
return 1
`;
