--[[
claim: take free-worker tokens of one node and pay each with the next job in strict priority order
(every high job before any normal one, every normal before any low), or, with weighted priorities,
in turn by weight. A job is never claimed without a token; tokens left over go back. Claimed jobs become running, with their attempt counted, and get a
lease in the node's lease set.

First, delayed jobs that are due (scheduled time reached, retry back-off over) move to the tail of
their priority list, so
promotion needs no timer of its own: whoever claims next promotes. The reply says when the next
delayed job falls due, so an idle dispatcher can sleep exactly that long.

KEYS[1]     the node's free-worker token list
KEYS[2]     the node's lease zset (job id -> lease deadline, ms)
KEYS[3..5]  queue lists: high, normal, low
KEYS[6]     retrying zset (the key {ns}:delayed; retrying job id -> due time, ms)
KEYS[7]     scheduled zset (scheduled job id -> due time, ms)
KEYS[8]     paused set: priority names (high|normal|low) no node takes jobs from until resumed
KEYS[9]     the weighted-priorities turn counter (a string; used only when ARGV[8] gives weights)
KEYS[10..]  the lists to claim from, in order: a node's are KEYS[3..5] again; a remote worker's are
            its types' lanes, every type's high lane first, then normal, then low. A list's priority
            is the last part of its name.
ARGV[1]     most jobs to claim (the node's idle workers)
ARGV[2]     lease length, ms
ARGV[3]     node id
ARGV[4]     job hash key prefix. Job ids are only known once popped here, so their hashes cannot be
            passed in KEYS; the prefix carries the namespace's hash tag, so they share the slot.
ARGV[5]     events channel
ARGV[6]     '1' when some node streams every event (the firehose), else '0': then only jobs someone
            watches are announced
ARGV[7]     for a remote worker, a random lease base: the n-th job claimed gets the lease
            '<base>.<n>', and its token and lease are kept in its hash (fields token, lease) so that
            only the worker holding it can renew or finish it, and recovery can give the token back.
            Empty for a node (its dispatcher keeps its own book).
ARGV[8]     empty for strict priorities; or weights 'high,normal,low' (e.g. '6,3,1'): then each job's
            priority is chosen in turn by weight (sluice.dispatch.priorities=weighted)
ARGV[9..]   given tokens (a partitioned namespace: the member's tokens live in partition 0, taken there
            by tokens.lua): when present, these are spent instead of popping KEYS[1], and tokens left
            over are not pushed anywhere: the caller gives them back (the reply names the tokens spent).

Returns     { now, nextDue, lost } followed by eight values per claimed job: id, token, type, payload
            JSON, attempt, timeout (ms), priority, waited (ms since it was created, or since it became
            due). nextDue is the due time of the earliest delayed or scheduled job, or -1.
            An id whose job is not queued (cancelled meanwhile) is dropped from its list and skipped.
            An id whose hash is gone altogether is dropped too, and counted in lost: an accepted job
            whose record Redis evicted (maxmemory with an eviction policy) or lost.
Redis       6.2+ (LPOP with a count)
]]
local now = now_ms()
local given = #ARGV > 8
local out = { now, -1, 0 }
local want = tonumber(ARGV[1])
local lists = { high = KEYS[3], normal = KEYS[4], low = KEYS[5] }
local firehose = ARGV[6] == '1'
local events = {}

local function head(zset)
  local first = redis.call('ZRANGE', zset, 0, 0, 'WITHSCORES')
  return first[2] and tonumber(first[2]) or -1
end

local function earliest(a, b)
  if a < 0 then return b end
  if b < 0 then return a end
  return math.min(a, b)
end

-- moves the due jobs of one zset to the tail of their lists; returns the zset's next due time
local function promote(zset, from_state)
  local due_at = head(zset)
  if due_at < 0 or due_at > now then
    return due_at
  end
  local due = redis.call('ZRANGEBYSCORE', zset, '-inf', now, 'LIMIT', 0, 1000)
  for _, id in ipairs(due) do
    local key = ARGV[4] .. id
    local job = redis.call('HMGET', key, 'state', 'priority', 'type', 'lane', 'key')
    if job[1] == from_state and lists[job[2]] then
      redis.call('HSET', key, 'state', 'queued')
      push_job(queue_of(lists, ARGV[4], job[2], job[4]), job[5], id, false)
      if firehose then
        events[#events + 1] = { id = id, state = 'queued', type = job[3], at = now }
      end
    end
  end
  redis.call('ZREM', zset, unpack(due))
  return head(zset)
end

if want < 1 then
  out[2] = earliest(head(KEYS[6]), head(KEYS[7]))
  return out
end
-- the common case (nothing delayed or scheduled, or nothing due yet) costs one ZRANGE per zset
out[2] = earliest(promote(KEYS[6], 'retrying'), promote(KEYS[7], 'scheduled'))

local tokens
if given then
  tokens = { unpack(ARGV, 9, math.min(#ARGV, 8 + want)) }
else
  tokens = redis.call('LPOP', KEYS[1], want)
end
if not tokens then
  if #events > 0 then
    redis.call(PUBLISH, ARGV[5], cjson.encode(events))
  end
  return out
end

local deadline = now + tonumber(ARGV[2])
local leases = {}
local used = 0
local paused = {}
for _, priority in ipairs(redis.call('SMEMBERS', KEYS[8])) do
  paused[priority] = true
end
local remote = ARGV[7] ~= ''
local ns = ns_of(ARGV[4])

-- claims one popped id when its job is still queued; counts an id whose hash is gone as lost
local function claim_id(id)
  local key = ARGV[4] .. id
  local job = redis.call('HMGET', key, 'state', 'type', 'payload', 'attempts', 'timeoutMs', 'watched', 'progress',
    'priority', 'createdAt', 'runAt', 'key', 'traceparent')
  local taken, capped = false, nil
  if job[1] == 'queued' then
    taken, capped = take_slot(ns, key, id, job[2], job[11] or nil, now)
  end
  if taken then
    used = used + 1
    local attempt = tonumber(job[4]) + 1
    if capped then
      redis.call('HSET', key, 'state', 'running', 'attempts', attempt, 'startedAt', now, 'node', ARGV[3],
        'capped', capped)
    else
      redis.call('HSET', key, 'state', 'running', 'attempts', attempt, 'startedAt', now, 'node', ARGV[3])
    end
    if remote then
      redis.call('HSET', key, 'token', tokens[used], 'lease', ARGV[7] .. '.' .. used)
    end
    if job[7] then
      redis.call('HDEL', key, 'progress', 'progressMessage')
    end
    local waited = math.max(0, now - math.max(tonumber(job[9]) or now, tonumber(job[10]) or 0))
    if firehose or job[6] then
      events[#events + 1] = { id = id, state = 'running', type = job[2], attempt = attempt, at = now,
        waited = waited }
    end
    leases[#leases + 1] = deadline
    leases[#leases + 1] = id
    out[#out + 1] = id
    out[#out + 1] = tokens[used]
    out[#out + 1] = job[2]
    out[#out + 1] = job[3]
    out[#out + 1] = attempt
    out[#out + 1] = job[5]
    out[#out + 1] = job[8]
    out[#out + 1] = waited
    out[#out + 1] = job[12] or ''
  elseif not job[1] then
    out[3] = out[3] + 1
  end
end

local function priority_of(list)
  return string.match(list, '([^:]+)$')
end

if ARGV[8] == '' then
  -- strict: every high job before any normal one, every normal before any low
  for q = 10, #KEYS do
    while used < #tokens and not paused[priority_of(KEYS[q])] do
      local ids = pop_fair(KEYS[q], #tokens - used)
      if #ids == 0 then
        break
      end
      for _, id in ipairs(ids) do
        claim_id(id)
      end
    end
  end
else
  -- weighted: each job's priority is taken in turn by weight (a shared counter, KEYS[9]), falling back
  -- to the highest priority that has jobs; so a priority with jobs gets at least its share of claims
  local weight = {}
  local total = 0
  local names = { 'high', 'normal', 'low' }
  local i = 0
  for w in string.gmatch(ARGV[8], '[^,]+') do
    i = i + 1
    weight[names[i]] = tonumber(w)
    total = total + tonumber(w)
  end
  local groups = { high = {}, normal = {}, low = {} }
  for q = 10, #KEYS do
    local priority = priority_of(KEYS[q])
    if groups[priority] and not paused[priority] then
      groups[priority][#groups[priority] + 1] = KEYS[q]
    end
  end
  local empty = {}
  while used < #tokens do
    local turn = redis.call('INCR', KEYS[9]) % total
    local first = turn < weight.high and 'high' or (turn < weight.high + weight.normal and 'normal' or 'low')
    local popped = false
    for _, priority in ipairs({ first, 'high', 'normal', 'low' }) do
      for _, list in ipairs(groups[priority]) do
        if not popped and not empty[list] then
          local ids = pop_fair(list, 1)
          if ids[1] then
            popped = true
            claim_id(ids[1])
          else
            empty[list] = true
          end
        end
      end
    end
    if not popped then
      break
    end
  end
end

flush_limits(ns)
if rate_state.scheduled then
  out[2] = earliest(head(KEYS[6]), head(KEYS[7])) -- a job over its rate waits: wake up when it is due
end
if #leases > 0 then
  redis.call('ZADD', KEYS[2], unpack(leases))
end
if used < #tokens and not given then
  redis.call('RPUSH', KEYS[1], unpack(tokens, used + 1))
end
if #events > 0 then
  redis.call(PUBLISH, ARGV[5], cjson.encode(events))
end
return out
