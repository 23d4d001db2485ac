/**
 * The size counted for one stored event: `#type + #data` plus this, for its id, time and field
 * names. TaskStore.create counts the first event the same way.
 */
export const EVENT_ENTRY_OVERHEAD_BYTES = 32;

export const TERMINAL = `local function is_terminal(s) return s == 'completed' or s == 'failed' or s == 'cancelled' end`;

/**
 * append_event(task_key, events_key, max_bytes, now, type, data): numbers and appends one event,
 * then keeps the stream within `max_bytes`. The task hash counts the stream's size in
 * `eventBytes`; while it is over budget, the oldest entries are deleted (never the newest) and
 * their number is added to `droppedEvents`. Drops only ever come from the head, so the offsets
 * kept are contiguous.
 */
export const APPEND_EVENT = `
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
 * The dependency graph, for the scripts that finish, cancel or create tasks. Keys are built from
 * the prefix (`p`, passed in ARGV): every key shares its hash tag, so one slot holds them all.
 *
 *   {p}:task:<id>:deps        hash  dependency id → edge state: pending | completed | failed | cancelled
 *   {p}:task:<id>:dependents  set   ids of the tasks that depend on <id>
 *   {p}:ready                 zset  blocked tasks whose dependencies are all done, to be queued
 *   {p}:released              channel  "something became ready": wakes the coordinators' releasers
 *
 * A blocked task's hash keeps `remaining` (pending edges), `depth` (the longest chain above it),
 * `onDependencyFailure`, and `ready` = 1 once nothing is pending.
 *
 * resolve_dependents(p, id, outcome, now, maxlen): the task <id> ended with <outcome>; each
 * blocked dependent with a pending edge to it takes the outcome in one step: a completed one (or
 * any, under `continue`) counts down and becomes ready at zero; a failed or cancelled one fails or
 * cancels the dependent (its `onDependencyFailure`), which cascades to the dependent's own
 * dependents in the same call, breadth first. Returns how many became ready.
 */
export const DEPENDENCY_LUA = `
local function key_task(p, id) return p .. ':task:' .. id end
local function key_events(p, id) return p .. ':task:' .. id .. ':events' end
local function key_deps(p, id) return p .. ':task:' .. id .. ':deps' end
local function key_dependents(p, id) return p .. ':task:' .. id .. ':dependents' end
local function key_index(p, state) return p .. ':index:state:' .. state end

-- A blocked task ends without running: final state, indexes, event.
local function end_unrun(p, id, final, reason, errjson, now, maxlen)
  local tk = key_task(p, id)
  local created = redis.call('HGET', tk, 'createdAt')
  redis.call('HSET', tk, 'state', final, 'updatedAt', now, 'endedAt', now)
  if final == 'cancelled' then redis.call('HSET', tk, 'cancelReason', reason)
  else redis.call('HSET', tk, 'error', errjson) end
  redis.call('HDEL', tk, 'ready')
  redis.call('ZREM', key_index(p, 'blocked'), id)
  redis.call('ZREM', p .. ':ready', id)
  redis.call('ZADD', key_index(p, final), created, id)
  append_event(tk, key_events(p, id), maxlen, now, 'task.state', cjson.encode({state = final, reason = reason}))
end

local function mark_ready(p, id, now)
  redis.call('HSET', key_task(p, id), 'ready', '1')
  redis.call('ZADD', p .. ':ready', now, id)
end

local function resolve_dependents(p, id, outcome, now, maxlen)
  local ready = 0
  local pending = {{id, outcome}}
  local head = 1
  while head <= #pending do
    local t, o = pending[head][1], pending[head][2]
    head = head + 1
    for _, d in ipairs(redis.call('SMEMBERS', key_dependents(p, t))) do
      local dk = key_task(p, d)
      if redis.call('HGET', dk, 'state') == 'blocked' and redis.call('HGET', key_deps(p, d), t) == 'pending' then
        redis.call('HSET', key_deps(p, d), t, o)
        local policy = redis.call('HGET', dk, 'onDependencyFailure') or 'fail'
        if o == 'completed' or policy == 'continue' then
          local remaining = redis.call('HINCRBY', dk, 'remaining', -1)
          append_event(dk, key_events(p, d), maxlen, now, 'dependency.resolved',
            cjson.encode({dependency = t, outcome = o, remaining = remaining}))
          if remaining <= 0 then
            mark_ready(p, d, now)
            ready = ready + 1
          end
        elseif policy == 'cancel' then
          end_unrun(p, d, 'cancelled', 'dependency ' .. t .. ' ' .. o, '', now, maxlen)
          pending[#pending + 1] = {d, 'cancelled'}
        else
          end_unrun(p, d, 'failed', 'dependency_failed: ' .. t,
            cjson.encode({code = 'DEPENDENCY_FAILED', message = 'dependency ' .. t .. ' ' .. o}), now, maxlen)
          pending[#pending + 1] = {d, 'failed'}
        end
      end
    end
  end
  if ready > 0 then redis.call('PUBLISH', p .. ':released', ready) end
  return ready
end`;
