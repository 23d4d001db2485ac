import { APPEND_EVENT, DEPENDENCY_LUA, TERMINAL } from './lua-library';

/**
 * Lua scripts of the dependency graph (see DEPENDENCY_LUA for its keys). Each validates and writes
 * in one step: a task's edges are all written or none is, whatever other coordinators do at once.
 */

/**
 * Creates a task that depends on others. Unknown ids, too many dependencies and a chain too deep
 * are refused before anything is written. Dependencies that already ended resolve at once, by
 * their outcome: the task may be created ready, failed or cancelled.
 * ARGV: prefix, taskId, now, maxEventBytes, fieldsJson (the hash's other fields), policy,
 *   maxDependencies, maxDepth, dependency ids...
 * Returns {'blocked', remaining} | {'ready'} | {'failed', depId} | {'cancelled', depId}
 *   | {'unknown', ids...} | {'too_many', n} | {'too_deep', depth} | {'exists'}
 */
export const CREATE_WITH_DEPENDENCIES = `
${TERMINAL}
${APPEND_EVENT}
${DEPENDENCY_LUA}
local p, id, now, maxlen = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local fields, policy = cjson.decode(ARGV[5]), ARGV[6]
local maxdeps, maxdepth = tonumber(ARGV[7]), tonumber(ARGV[8])
local deps = {}
for i = 9, #ARGV do deps[#deps + 1] = ARGV[i] end
if #deps > maxdeps then return {'too_many', #deps} end
local tk = key_task(p, id)
if redis.call('EXISTS', tk) == 1 then return {'exists'} end
local depth, states, unknown = 0, {}, {}
for i, d in ipairs(deps) do
  local dk = key_task(p, d)
  local s = redis.call('HGET', dk, 'state')
  if not s then unknown[#unknown + 1] = d
  else
    states[i] = s
    local above = tonumber(redis.call('HGET', dk, 'depth') or '0') + 1
    if above > depth then depth = above end
  end
end
if #unknown > 0 then return {'unknown', unpack(unknown)} end
if depth > maxdepth then return {'too_deep', depth} end
for k, v in pairs(fields) do redis.call('HSET', tk, k, v) end
redis.call('HSET', tk, 'state', 'blocked', 'depth', depth, 'onDependencyFailure', policy,
  'createdAt', now, 'updatedAt', now, 'eventSeq', 0, 'eventBytes', 0)
redis.call('ZADD', p .. ':index:all', now, id)
redis.call('ZADD', key_index(p, 'blocked'), now, id)
local remaining, ended_by = 0, nil
for i, d in ipairs(deps) do
  local edge = 'pending'
  if is_terminal(states[i]) then edge = states[i] end
  redis.call('HSET', key_deps(p, id), d, edge)
  redis.call('SADD', key_dependents(p, d), id)
  if edge == 'pending' then remaining = remaining + 1
  elseif edge ~= 'completed' and policy ~= 'continue' and not ended_by then ended_by = {d, edge} end
end
redis.call('HSET', tk, 'remaining', remaining)
append_event(tk, key_events(p, id), maxlen, now, 'task.state',
  cjson.encode({state = 'blocked', reason = 'waiting for ' .. remaining .. ' of ' .. #deps .. ' dependencies'}))
if ended_by then
  local d, o = ended_by[1], ended_by[2]
  if policy == 'cancel' then
    end_unrun(p, id, 'cancelled', 'dependency ' .. d .. ' ' .. o, '', now, maxlen)
    return {'cancelled', d}
  end
  end_unrun(p, id, 'failed', 'dependency_failed: ' .. d,
    cjson.encode({code = 'DEPENDENCY_FAILED', message = 'dependency ' .. d .. ' ' .. o}), now, maxlen)
  return {'failed', d}
end
if remaining == 0 then
  mark_ready(p, id, now)
  return {'ready'}
end
return {'blocked', remaining}
`;

/**
 * Adds dependencies to a task that is still blocked. Refused, with nothing written: an unknown id,
 * more than the maximum in all, a chain that would grow too deep (here or below: depths are
 * pushed down to the blocked dependents), and a cycle, named. The cycle search walks upstream
 * from each new dependency through pending edges only (a finished task cannot wait on anything),
 * so it never loads the whole graph.
 * ARGV: prefix, taskId, now, maxEventBytes, maxDependencies, maxDepth, maxVisited, dependency ids...
 * Returns {'added', remaining} | {'missing'} | {'not_blocked', state} | {'unknown', ids...}
 *   | {'too_many', n} | {'too_deep', taskId, depth} | {'cycle', ids...} | {'too_large'}
 *   | {'failed', depId} | {'cancelled', depId} (a new dependency had already failed)
 */
export const ADD_DEPENDENCIES = `
${TERMINAL}
${APPEND_EVENT}
${DEPENDENCY_LUA}
local p, id, now, maxlen = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local maxdeps, maxdepth, maxvisited = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local tk = key_task(p, id)
local state = redis.call('HGET', tk, 'state')
if not state then return {'missing'} end
if state ~= 'blocked' or redis.call('HGET', tk, 'ready') == '1' then return {'not_blocked', state} end
local existing = redis.call('HLEN', key_deps(p, id))
local new, seen = {}, {}
for i = 8, #ARGV do
  local d = ARGV[i]
  if not seen[d] and redis.call('HEXISTS', key_deps(p, id), d) == 0 then
    seen[d] = true
    new[#new + 1] = d
  end
end
if #new == 0 then return {'added', tonumber(redis.call('HGET', tk, 'remaining') or '0')} end
if existing + #new > maxdeps then return {'too_many', existing + #new} end
local unknown, states = {}, {}
for i, d in ipairs(new) do
  if d == id then return {'cycle', id, id} end
  local s = redis.call('HGET', key_task(p, d), 'state')
  if not s then unknown[#unknown + 1] = d else states[i] = s end
end
if #unknown > 0 then return {'unknown', unpack(unknown)} end
-- Cycles: is this task upstream of a new dependency (through edges still pending)?
local visited = 0
for i, d in ipairs(new) do
  if not is_terminal(states[i]) then
    local parent, stack, found = {[d] = false}, {d}, nil
    while #stack > 0 and not found do
      local n = table.remove(stack)
      visited = visited + 1
      if visited > maxvisited then return {'too_large'} end
      local edges = redis.call('HGETALL', key_deps(p, n))
      for j = 1, #edges, 2 do
        local u = edges[j]
        if edges[j + 1] == 'pending' then
          if u == id then found = n break end
          if parent[u] == nil then
            parent[u] = n
            stack[#stack + 1] = u
          end
        end
      end
    end
    if found then
      -- id waits on d, d on ... on found, found on id.
      local path, n = {}, found
      while n do
        table.insert(path, 1, n)
        n = parent[n]
      end
      local cycle = {id}
      for _, x in ipairs(path) do cycle[#cycle + 1] = x end
      cycle[#cycle + 1] = id
      return {'cycle', unpack(cycle)}
    end
  end
end
-- Depths: this task's may grow, and with it its blocked dependents', breadth first.
local depth = tonumber(redis.call('HGET', tk, 'depth') or '0')
local mine = depth
for _, d in ipairs(new) do
  local above = tonumber(redis.call('HGET', key_task(p, d), 'depth') or '0') + 1
  if above > mine then mine = above end
end
if mine > maxdepth then return {'too_deep', id, mine} end
local updates = {}
if mine > depth then
  updates[id] = mine
  local queue, head = {id}, 1
  while head <= #queue do
    local n = queue[head]
    head = head + 1
    for _, c in ipairs(redis.call('SMEMBERS', key_dependents(p, n))) do
      if redis.call('HGET', key_task(p, c), 'state') == 'blocked' then
        local want = updates[n] + 1
        local current = updates[c] or tonumber(redis.call('HGET', key_task(p, c), 'depth') or '0')
        if want > current then
          if want > maxdepth then return {'too_deep', c, want} end
          updates[c] = want
          queue[#queue + 1] = c
        end
      end
    end
  end
end
-- Valid: write it all.
for n, value in pairs(updates) do redis.call('HSET', key_task(p, n), 'depth', value) end
local pending, ended_by = 0, nil
local policy = redis.call('HGET', tk, 'onDependencyFailure') or 'fail'
for i, d in ipairs(new) do
  local edge = 'pending'
  if is_terminal(states[i]) then edge = states[i] end
  redis.call('HSET', key_deps(p, id), d, edge)
  redis.call('SADD', key_dependents(p, d), id)
  if edge == 'pending' then pending = pending + 1
  elseif edge ~= 'completed' and policy ~= 'continue' and not ended_by then ended_by = {d, edge} end
end
local remaining = redis.call('HINCRBY', tk, 'remaining', pending)
redis.call('HSET', tk, 'updatedAt', now)
append_event(tk, key_events(p, id), maxlen, now, 'task.state',
  cjson.encode({state = 'blocked', reason = 'now also waiting for ' .. table.concat(new, ', ')}))
if ended_by then
  local d, o = ended_by[1], ended_by[2]
  if policy == 'cancel' then
    end_unrun(p, id, 'cancelled', 'dependency ' .. d .. ' ' .. o, '', now, maxlen)
    resolve_dependents(p, id, 'cancelled', now, maxlen)
    return {'cancelled', d}
  end
  end_unrun(p, id, 'failed', 'dependency_failed: ' .. d,
    cjson.encode({code = 'DEPENDENCY_FAILED', message = 'dependency ' .. d .. ' ' .. o}), now, maxlen)
  resolve_dependents(p, id, 'failed', now, maxlen)
  return {'failed', d}
end
return {'added', remaining}
`;

/**
 * Marks ready tasks queued, once their jobs are in BullMQ. Whatever its state, each task leaves
 * the ready set; one that is no longer blocked and ready (queued or started already, cancelled)
 * is left as it is. ARGV: prefix, now, maxEventBytes, taskIds...
 * Returns the ids it moved to queued.
 */
export const MARK_QUEUED = `
${APPEND_EVENT}
${DEPENDENCY_LUA}
local p, now, maxlen = ARGV[1], ARGV[2], ARGV[3]
local queued = {}
for i = 4, #ARGV do
  local id = ARGV[i]
  redis.call('ZREM', p .. ':ready', id)
  local tk = key_task(p, id)
  if redis.call('HGET', tk, 'state') == 'blocked' and redis.call('HGET', tk, 'ready') == '1' then
    redis.call('HDEL', tk, 'ready')
    redis.call('HSET', tk, 'state', 'queued', 'updatedAt', now)
    redis.call('ZREM', key_index(p, 'blocked'), id)
    redis.call('ZADD', key_index(p, 'queued'), redis.call('HGET', tk, 'createdAt'), id)
    append_event(tk, key_events(p, id), maxlen, now, 'task.state',
      cjson.encode({state = 'queued', reason = 'its dependencies are done'}))
    queued[#queued + 1] = id
  end
end
return queued
`;

/**
 * The reconciler's check of blocked tasks: a pending edge to a task that has ended is a lost
 * wake-up; it is resolved now, as the end would have done. ARGV: prefix, now, maxEventBytes, ids...
 * Returns how many tasks became ready.
 */
export const RECHECK_BLOCKED = `
${TERMINAL}
${APPEND_EVENT}
${DEPENDENCY_LUA}
local p, now, maxlen = ARGV[1], ARGV[2], ARGV[3]
local ready = 0
for i = 4, #ARGV do
  local id = ARGV[i]
  if redis.call('HGET', key_task(p, id), 'state') == 'blocked' then
    local edges = redis.call('HGETALL', key_deps(p, id))
    for j = 1, #edges, 2 do
      if edges[j + 1] == 'pending' then
        local s = redis.call('HGET', key_task(p, edges[j]), 'state')
        if s and is_terminal(s) then ready = ready + resolve_dependents(p, edges[j], s, now, maxlen) end
      end
    end
    if redis.call('HGET', key_task(p, id), 'state') == 'blocked'
      and tonumber(redis.call('HGET', key_task(p, id), 'remaining') or '0') <= 0
      and redis.call('HGET', key_task(p, id), 'ready') ~= '1' then
      mark_ready(p, id, now)
      ready = ready + 1
    end
  end
end
return ready
`;
