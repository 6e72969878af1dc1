--[[
prelude: shared by every script, prepended to each when the scripts are loaded (LuaScripts), so one
rule is written once. Defines functions only; touches no key.
]]

-- The command every script announces with: LuaScripts swaps this one line for 'SPUBLISH' on a Redis
-- Cluster (sharded pub/sub keeps a message on its slot's shard instead of relaying it to every node).
local PUBLISH = 'PUBLISH'

-- Redis server time in ms: the one clock every node agrees on.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- A remote worker's token list becomes exactly r1..r<slots> of a new generation (at least the time of
-- the fill, kept as 'gen' in its info hash, so it never repeats): tokens.lua drops a token of an older
-- generation given back late, so a refill can never meet a give-back that would make a slot too many.
local function fill_tokens(info, list, slots, now)
  local gen = math.max(now, tonumber(redis.call('HGET', info, 'gen') or 0) + 1)
  local suffix = ':' .. string.format('%d', gen)
  redis.call('HSET', info, 'gen', string.format('%d', gen))
  redis.call('DEL', list)
  local tokens = {}
  for i = 1, slots do
    tokens[i] = 'r' .. i .. suffix
  end
  redis.call('RPUSH', list, unpack(tokens))
end

-- What a failed attempt leads to: another try while attempts remain; else the end of the job, 'dead'
-- (into the dead letters) when it had several attempts, 'failed' when it had one.
local function after_failure(attempts, max_attempts)
  if attempts < max_attempts then
    return 'retrying'
  end
  return max_attempts > 1 and 'dead' or 'failed'
end

-- The namespace's key prefix '{ns}:', from the job hash prefix '{ns}:job:' every script is given.
local function ns_of(job_prefix)
  return string.sub(job_prefix, 1, -5)
end

-- The list a job waits in: its priority's list, or, for a job of a remote type (its hash has a
-- lane: the type's name), that type's own list at the priority, built as RedisKeys.lane builds it.
local function queue_of(lists, job_prefix, priority, lane)
  if lane and lane ~= '' then
    return ns_of(job_prefix) .. 'lane:' .. lane .. ':' .. priority
  end
  return lists[priority]
end

-- When a job that carries a callback (its hash's callback field: JSON with url, events, priority,
-- maxAttempts, timeoutMs) reaches one of the callback's events, creates the callback job in the same
-- script, so a job never ends without its callback queued. The callback job's id and its webhook id
-- are fixed here, so every retry of the delivery carries the same webhook-id. Its list and the wake
-- channel are named as RedisKeys names them ({ns}:queue:<priority>, {ns}:wake).
-- Fair share within a list (a priority's queue or a lane): jobs with a key (a tenant, a customer) wait
-- in their key's own list <L>#<key>, and the ring <L># holds, once each, the keys that have jobs waiting,
-- plus '' for L's keyless jobs while any keyed job waits; a claim takes one job per key per turn
-- (pop_fair). <L>#n counts the keyed jobs, for depths and capacity. With no keyed job waiting, the ring
-- is empty and L is used exactly as without keys. RedisKeys names these as the scripts build them.

-- Puts a job in list L (as queue_of found it), at the tail or, with head, at the front (a job that was
-- next in line once already). Returns whether a list went from empty to non-empty (a wake-up is due).
local function push_job(L, key, id, head)
  local push = head and 'LPUSH' or 'RPUSH'
  local ring = L .. '#'
  if not key or key == '' then
    local n = redis.call(push, L, id)
    if n == 1 and redis.call('LLEN', ring) > 0 then
      redis.call(push, ring, '')
    end
    return n == 1
  end
  redis.call('INCR', L .. '#n')
  if redis.call(push, L .. '#' .. key, id) == 1 then
    local was_empty = redis.call('LLEN', ring) == 0
    redis.call(push, ring, key)
    if was_empty and redis.call('LLEN', L) > 0 then
      redis.call('RPUSH', ring, '')
    end
    return true
  end
  return false
end

-- Takes up to n ids from list L: plain LPOP while no keyed job waits, else round robin over the ring,
-- one job per key per turn. A key whose list is empty leaves the ring.
local function pop_fair(L, n)
  local ring = L .. '#'
  if redis.call('LLEN', ring) == 0 then
    return redis.call('LPOP', L, n) or {}
  end
  local ids = {}
  local keyed = 0
  while #ids < n do
    local key = redis.call('LPOP', ring)
    if not key then
      break
    end
    local list = key == '' and L or L .. '#' .. key
    local id = redis.call('LPOP', list)
    if id then
      ids[#ids + 1] = id
      if key ~= '' then
        keyed = keyed + 1
      end
      if redis.call('LLEN', list) > 0 and (key ~= '' or redis.call('LLEN', ring) > 0) then
        redis.call('RPUSH', ring, key)
      end
    end
  end
  if keyed > 0 then
    redis.call('DECRBY', L .. '#n', keyed)
  end
  return ids
end

-- Removes a waiting job from list L (a cancel); its key's list when it has a key.
local function remove_job(L, key, id)
  if not key or key == '' then
    return redis.call('LREM', L, 1, id)
  end
  local removed = redis.call('LREM', L .. '#' .. key, 1, id)
  if removed > 0 then
    redis.call('DECR', L .. '#n')
  end
  return removed
end

-- How many jobs wait in list L, keyed ones included.
local function waiting_in(L)
  return redis.call('LLEN', L) + (tonumber(redis.call('GET', L .. '#n')) or 0)
end

-- Concurrency caps (issue 16): {ns}:limits:<type> may hold concurrency (at most that many of the type
-- running at once, over every node and remote worker) and perKeyConcurrency (at most that many per
-- key, keyless jobs being one key). {ns}:running counts running jobs per type and per '<type>|<key>'.
-- A job over its cap is parked in {ns}:parked:<type> (or :<type>|<key>) instead of claimed, so the
-- jobs behind it are not held up; each job of the type that stops running lets one parked job back to
-- the head of its queue, and wakes the dispatchers.
local limits_read = {}
local function limits_of(ns, type)
  local limits = limits_read[type]
  if limits == nil then
    local stored = redis.call('HMGET', ns .. 'limits:' .. type, 'concurrency', 'perKeyConcurrency', 'rateLimit',
      'ratePeriodMs', 'keyRateLimit', 'keyRatePeriodMs')
    limits = { cap = tonumber(stored[1]), per_key = tonumber(stored[2]), rate = tonumber(stored[3]),
      rate_period = tonumber(stored[4]), key_rate = tonumber(stored[5]), key_rate_period = tonumber(stored[6]) }
    limits_read[type] = limits
  end
  return limits
end

-- Takes a running slot of the job's type (and key) when it has a cap. Returns false, after parking the
-- job, when the cap is reached.
-- Rate limits: rateLimit jobs per ratePeriodMs for the type, keyRateLimit per keyRatePeriodMs per key.
-- Exact: a log of start times per name ({ns}:rate-log:<name>, Redis time) never holds more than the
-- limit within the period. Smooth: a job over the rate is scheduled for a slot of its own at the end of
-- the name's line ({ns}:rate-at, one interval = period / limit apart), so waiting jobs come back one by
-- one rather than all at once; it holds no worker and uses no attempt while it waits.
local rate_state = { scheduled = false }

-- One claim reads each rate log once (trim + count) and writes the starts it admits in one ZADD at the
-- end (flush_limits); rate_logs[name] = { count, adds = { score, id, ... }, period }.
local rate_logs = {}

-- When a job under {name} may start, or nil when it may start now. Drops log entries older than the period.
local function rate_due(ns, name, limit, period, now)
  local log = ns .. 'rate-log:' .. name
  local r = rate_logs[name]
  if not r then
    redis.call('ZREMRANGEBYSCORE', log, '-inf', now - period)
    r = { count = redis.call('ZCARD', log), adds = {}, period = period }
    rate_logs[name] = r
  end
  if r.count < limit then
    return nil
  end
  -- the log's oldest start; the starts this claim admitted (not written yet) are all at now
  local oldest = tonumber(redis.call('ZRANGE', log, 0, 0, 'WITHSCORES')[2]) or now
  local line = tonumber(redis.call('HGET', ns .. 'rate-at', name)) or 0
  local due = math.max(line, oldest + period)
  redis.call('HSET', ns .. 'rate-at', name, due + math.ceil(period / limit))
  return due
end

local function log_start(name, id, now)
  local r = rate_logs[name]
  r.count = r.count + 1
  r.adds[#r.adds + 1] = now
  r.adds[#r.adds + 1] = id
end

local function within_rate(ns, job_key, id, type, key, limits, now)
  if not limits.rate and not limits.key_rate then
    return true
  end
  local per = type .. '|' .. (key or '')
  local due = limits.rate and rate_due(ns, type, limits.rate, limits.rate_period, now) or nil
  if not due and limits.key_rate then
    due = rate_due(ns, per, limits.key_rate, limits.key_rate_period, now)
  end
  if due then
    redis.call('HSET', job_key, 'state', 'scheduled', 'runAt', due)
    redis.call('ZADD', ns .. 'scheduled', due, id)
    rate_state.scheduled = true
    return false
  end
  if limits.rate then
    log_start(type, id, now)
  end
  if limits.key_rate then
    log_start(per, id, now)
  end
  return true
end

-- Parks a job over its cap in list {parked}; {ns}:parked-lists:<type> remembers the type's parked
-- lists, so that a changed cap can let them all back (unpark.lua).
local parked_empty = {} -- parked lists let_back found empty in this script
local function park(ns, job_key, id, type, parked)
  redis.call('RPUSH', parked, id)
  parked_empty[parked] = nil
  redis.call('SADD', ns .. 'parked-lists:' .. type, parked)
  redis.call('HSET', job_key, 'parked', parked)
end

-- One claim reads each running count once and writes the ones it changed at the end (flush_limits).
local slot_counts = {}
local slot_changed = {}
local function slot_count(ns, name)
  local n = slot_counts[name]
  if n == nil then
    n = tonumber(redis.call('HGET', ns .. 'running', name)) or 0
    slot_counts[name] = n
  end
  return n
end

-- Takes a running slot of the job's type (and key) when it has caps, and a start within its rates.
-- Returns true and what the job counts under (its hash's 'capped': '<type>|<key>' when its key is
-- counted too, for a per-key cap, else '<type>'; nil when uncapped), or false when the job was parked
-- or scheduled instead. The counts and rate logs are written by flush_limits, once per claim.
local function take_slot(ns, job_key, id, type, key, now)
  local limits = limits_of(ns, type)
  if not limits.cap and not limits.per_key and not limits.rate and not limits.key_rate then
    return true, nil
  end
  local per = type .. '|' .. (key or '')
  if limits.per_key and slot_count(ns, per) >= limits.per_key then
    park(ns, job_key, id, type, ns .. 'parked:' .. per)
    return false
  end
  if limits.cap and slot_count(ns, type) >= limits.cap then
    park(ns, job_key, id, type, ns .. 'parked:' .. type)
    return false
  end
  if not within_rate(ns, job_key, id, type, key, limits, now) then
    return false
  end
  if not limits.cap and not limits.per_key then
    return true, nil
  end
  slot_counts[type] = slot_count(ns, type) + 1
  slot_changed[type] = true
  if limits.per_key then
    slot_counts[per] = slot_count(ns, per) + 1
    slot_changed[per] = true
    return true, per
  end
  return true, type
end

-- Writes what take_slot counted in this claim: the running counts it changed and the starts it logged.
local function flush_limits(ns)
  for name in pairs(slot_changed) do
    redis.call('HSET', ns .. 'running', name, slot_counts[name])
  end
  for name, r in pairs(rate_logs) do
    local adds = r.adds
    for from = 1, #adds, 1000 do
      redis.call('ZADD', ns .. 'rate-log:' .. name, unpack(adds, from, math.min(from + 999, #adds)))
    end
    if #adds > 0 then
      redis.call('PEXPIRE', ns .. 'rate-log:' .. name, r.period * 2)
    end
  end
end

-- Lets the first parked job of list {parked} that still waits (queued; a job cancelled or expired
-- meanwhile is dropped) back to the head of its queue, and wakes the dispatchers. Returns whether one
-- came back. A list found empty is not asked again within the same script.
local function let_back(job_prefix, ns, parked)
  if parked_empty[parked] then
    return false
  end
  local back = redis.call('LPOP', parked)
  while back do
    local job = redis.call('HMGET', job_prefix .. back, 'state', 'priority', 'lane', 'key')
    redis.call('HDEL', job_prefix .. back, 'parked')
    if job[1] == 'queued' then
      local lists = { high = ns .. 'queue:high', normal = ns .. 'queue:normal', low = ns .. 'queue:low' }
      push_job(queue_of(lists, job_prefix, job[2], job[3]), job[4], back, true)
      redis.call(PUBLISH, ns .. 'wake', 'slot')
      return true
    end
    back = redis.call('LPOP', parked)
  end
  parked_empty[parked] = true
  return false
end

-- A capped job stopped running (capped: what it counted under, from its hash: '<type>|<key>' or
-- '<type>'): gives its slot back and lets one parked job of the key, else of the type, back to the
-- head of its queue.
local function release_slot(job_prefix, id, capped)
  if not capped then
    return
  end
  local ns = ns_of(job_prefix)
  local type = string.match(capped, '^([^|]*)|') or capped
  redis.call('HDEL', job_prefix .. id, 'capped')
  redis.call('HINCRBY', ns .. 'running', type, -1)
  if type ~= capped then
    redis.call('HINCRBY', ns .. 'running', capped, -1)
    if let_back(job_prefix, ns, ns .. 'parked:' .. capped) then
      return
    end
  end
  let_back(job_prefix, ns, ns .. 'parked:' .. type)
end

local function queue_callback(job_prefix, cid, callback, payload, now)
  redis.call('HSET', job_prefix .. cid, 'type', 'callback', 'priority', callback.priority, 'state', 'queued',
    'payload', cjson.encode(payload), 'attempts', 0, 'maxAttempts', callback.maxAttempts,
    'timeoutMs', callback.timeoutMs, 'createdAt', now)
  if push_job(ns_of(job_prefix) .. 'queue:' .. callback.priority, nil, cid, false) then
    redis.call(PUBLISH, ns_of(job_prefix) .. 'wake', 'callback')
  end
end

-- A job of a batch with a callback ({ns}:batch:<id> has callback and pending) counts down once (the
-- job's batchCounted flag), whatever happens to it after; the last one queues the batch's callback.
local function on_final(job_prefix, id, state, now, spec, batch)
  if state ~= 'dead' then -- finished jobs by state, newest last ({ns}:finished:<state>); dead ones have their set
    redis.call('ZADD', ns_of(job_prefix) .. 'finished:' .. state, now, id)
  end
  if batch then
    local batch_key = ns_of(job_prefix) .. 'batch:' .. batch
    local batch_spec = redis.call('HGET', batch_key, 'callback')
    if batch_spec and redis.call('HSETNX', job_prefix .. id, 'batchCounted', 1) == 1
        and redis.call('HINCRBY', batch_key, 'pending', -1) == 0 then
      local cid = batch .. '-cb-finished-' .. now
      queue_callback(job_prefix, cid, cjson.decode(batch_spec),
        { batchId = batch, url = cjson.decode(batch_spec).url, event = 'finished', webhookId = 'msg_' .. cid }, now)
    end
  end
  if not spec then
    return
  end
  local callback = cjson.decode(spec)
  local wanted = false
  for _, event in ipairs(callback.events) do
    if event == state then
      wanted = true
    end
  end
  if wanted then
    local cid = id .. '-cb-' .. state .. '-' .. now
    queue_callback(job_prefix, cid, callback, { jobId = id, url = callback.url, event = state,
      webhookId = 'msg_' .. cid }, now)
  end
end

-- Throughput history: how many deliveries ended in each state per type and minute ({ns}:stats:<minute
-- since the epoch>, fields '<state>|<type>', kept 25 h), counted by record_outcome and written once per
-- script by announce, so a batch of completions costs one HINCRBY per state and type.
local stats = { counts = {} }
local function count_outcome(job_prefix, state, type, now)
  stats.ns = ns_of(job_prefix)
  stats.now = now
  local field = state .. '|' .. (type or '')
  stats.counts[field] = (stats.counts[field] or 0) + 1
end

local function flush_stats()
  if not stats.ns then
    return
  end
  local key = stats.ns .. 'stats:' .. math.floor(stats.now / 60000)
  for field, n in pairs(stats.counts) do
    redis.call('HINCRBY', key, field, n)
  end
  redis.call('PEXPIRE', key, 90000000)
  stats.counts = {}
end

-- Attempt history: an attempt that did not succeed (failed, timed out, cancelled, lost, ...) is kept in
-- the job hash's attemptLog, a JSON array of {attempt, node, startedAt, endedAt, outcome, error}, the
-- last N only ({ns}:config attemptHistory, set by every node from sluice.jobs.attempt-history; 10
-- without it). A succeeded attempt needs no entry: the job's own fields are that attempt. Written only
-- on these paths, so a drain of succeeding jobs pays nothing for it.
local function log_attempt(job_prefix, key, attempt, outcome, err, now)
  local job = redis.call('HMGET', key, 'node', 'startedAt', 'attemptLog')
  local keep = tonumber(redis.call('HGET', ns_of(job_prefix) .. 'config', 'attemptHistory')) or 10
  local log = job[3] and cjson.decode(job[3]) or {}
  log[#log + 1] = { attempt = attempt, node = job[1] or cjson.null, startedAt = tonumber(job[2]) or cjson.null,
    endedAt = now, outcome = outcome, error = (err and err ~= '') and err or cjson.null }
  while #log > keep do
    table.remove(log, 1)
  end
  redis.call('HSET', key, 'attemptLog', cjson.encode(log))
end

-- Writes how a counted delivery of a job ended (o: the keys and retentions it may need: retrying,
-- dead, retention, dead_retention, max_throttled, job_prefix) and returns the job's new state and, when it is
-- retrying, when it falls due. A requested cancel wins over every outcome; a cancelled job keeps no result.
--   succeeded -> succeeded;  cancelled -> cancelled;  permanent -> failed;
--   failed    -> retrying after the back-off while attempts remain, else dead or failed;
--   throttled -> retrying after the back-off with the attempt given back, the first o.max_throttled
--                times (counted in the hash's throttled field); after that as failed;
--   deferred  -> retrying after the back-off with the attempt given back (it never started).
local function record_outcome(id, key, job, kind, result, err, err_type, backoff, now, o)
  release_slot(o.job_prefix, id, job.capped)
  if kind ~= 'succeeded' then
    log_attempt(o.job_prefix, key, job.attempts, job.cancel_requested == '1' and 'cancelled' or kind, err, now)
  end
  local state
  if kind == 'deferred' or kind == 'throttled' and redis.call('HINCRBY', key, 'throttled', 1) <= o.max_throttled then
    if job.cancel_requested ~= '1' then
      job.attempts = job.attempts - 1
      redis.call('HSET', key, 'attempts', job.attempts)
      kind = 'later'
    end
  end
  if job.cancel_requested == '1' or kind == 'cancelled' then
    state = 'cancelled'
  elseif kind == 'later' then
    state = 'retrying'
  elseif kind == 'succeeded' then
    state = 'succeeded'
  elseif kind == 'failed' or kind == 'throttled' then
    state = after_failure(job.attempts, job.max_attempts)
  else
    state = 'failed'
  end
  if state == 'succeeded' then
    redis.call('HSET', key, 'state', state, 'finishedAt', now, 'result', result)
    if job.had_error then
      redis.call('HDEL', key, 'error', 'errorType')
    end
  elseif state == 'cancelled' then
    redis.call('HSET', key, 'state', state, 'finishedAt', now)
  else
    redis.call('HSET', key, 'state', state, 'error', err, 'errorType', err_type)
  end
  local due = nil
  if state == 'retrying' then
    due = now + backoff
    redis.call('ZADD', o.retrying, due, id)
  elseif state == 'dead' then
    redis.call('HSET', key, 'finishedAt', now)
    redis.call('ZADD', o.dead, now, id)
    redis.call('PEXPIRE', key, o.dead_retention)
  else
    if state == 'failed' then
      redis.call('HSET', key, 'finishedAt', now)
    end
    redis.call('PEXPIRE', key, o.retention)
  end
  if state ~= 'retrying' then
    on_final(o.job_prefix, id, state, now, job.callback, job.batch)
  end
  count_outcome(o.job_prefix, state, job.type, now)
  return state, due
end

-- After outcomes were recorded: announces the events (a JSON array) on the events channel, and wakes
-- the dispatchers when a retry just became the earliest one due (so an idle node sleeps exactly so long).
local function announce(events_channel, events, wake_channel, retrying, earliest)
  flush_stats()
  if #events > 0 then
    redis.call(PUBLISH, events_channel, cjson.encode(events))
  end
  if earliest then
    local head = redis.call('ZRANGE', retrying, 0, 0, 'WITHSCORES')
    if tonumber(head[2]) >= earliest then
      redis.call(PUBLISH, wake_channel, 'retry')
    end
  end
end
