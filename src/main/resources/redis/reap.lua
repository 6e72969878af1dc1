--[[
reap: recover what crashed or stalled nodes left behind. Run by one node per tick (KEYS[6] is the
tick's lock), and by a stopping node on itself.

A node whose heartbeat is older than the lease is gone: every job it leased is recovered, and its
token list, lease set, info hash and registration are removed, so no capacity is left counted for
a node that does not exist. On a live node, a job whose own lease ran out is recovered too; when it was a remote worker's
(its hash keeps the token it was claimed with), the token goes back to the worker's list, so
free + leased = slots still holds for a worker that keeps polling. A remote type's job goes back to
its type's lane.

Recovering a job counts the lost attempt. It goes back to the HEAD of its priority list (it was next
in line once already) while attempts remain; a job whose cancel was requested becomes cancelled; a
job with no attempts left becomes dead (or failed when it had a single attempt). A lease whose job
is not running on that node any more is just dropped.

Node keys are derived from the node ids in the nodes zset, job keys from the ids in lease sets, so
neither can be passed in KEYS; both prefixes carry the namespace's hash tag (see claim.lua).

KEYS[1]     nodes zset (node id -> last heartbeat, ms)
KEYS[2..4]  queue lists: high, normal, low
KEYS[5]     dead-letter zset
KEYS[6]     reaper lock (a plain string with an expiry)
ARGV[1]     node key prefix: a node's keys are <prefix><id>, <prefix><id>:free-workers and
            <prefix><id>:leases (as RedisKeys builds them)
ARGV[2]     job hash key prefix
ARGV[3]     lease length, ms: a node silent for longer is gone
ARGV[4]     a node id to remove now whatever its heartbeat (a node leaving); empty for none. When
            set, the lock is neither checked nor taken.
ARGV[5]     lock holder (this node's id) and ARGV[6] the lock's expiry, ms (one tick)
ARGV[7]     retention of cancelled and failed jobs, ms; ARGV[8] retention of dead jobs, ms
ARGV[9]     wake channel; ARGV[10] events channel (recoveries are rare: always announced)
ARGV[11]    '1' on a partitioned namespace: a live remote worker's token is not pushed to its list
            here (its tokens live in partition 0) but named in the reply, for the caller to give back

The tick's reaper also recounts the running jobs of capped types from the live leases (a count left
behind by a job whose record was evicted or purged while it ran would otherwise keep a slot taken for
ever) and lets one parked job back per slot it finds free. Its cost is one HMGET per running job,
only while some type is limited.

Returns     { requeued, cancelled, dead, nodes removed, running counts corrected }, then (ARGV[11] '1')
            pairs of a remote worker's member id and a token to give back; or { -1, 0, 0, 0 } when
            another node holds this tick's lock
Redis       6.2+
]]
local leaving = ARGV[4]
if leaving == '' then
  if not redis.call('SET', KEYS[6], ARGV[5], 'NX', 'PX', ARGV[6]) then
    return { -1, 0, 0, 0, 0 }
  end
end

local now = now_ms()
local lists = { high = KEYS[2], normal = KEYS[3], low = KEYS[4] }
local requeued, cancelled, dead, removed = 0, 0, 0, 0
local events = {}
local give_back = {}

local function recover(node, id, gone)
  local key = ARGV[2] .. id
  local job = redis.call('HMGET', key, 'state', 'node', 'attempts', 'maxAttempts', 'cancelRequested', 'priority',
    'type', 'lane', 'token', 'callback', 'batch', 'key', 'capped')
  if job[1] ~= 'running' or job[2] ~= node then
    return
  end
  release_slot(ARGV[2], id, job[13] or nil)
  -- a remote worker's token travels with its lease: a live worker gets it back with the job's recovery
  -- (partitioned: also when it is gone from this partition only, a worker alive in partition 0 that has
  -- nothing left here; giving a gone worker's token back to its list in partition 0 is harmless: its
  -- list goes when partition 0 finds it gone, and a new registration starts a new one)
  if job[9] and ARGV[11] == '1' then
    give_back[#give_back + 1] = node
    give_back[#give_back + 1] = job[9]
  elseif job[9] and not gone then
    redis.call('RPUSH', ARGV[1] .. node .. ':free-workers', job[9])
  end
  local note = 'attempt ' .. job[3] .. ' was lost: node ' .. node .. ' stopped before finishing it'
  log_attempt(ARGV[2], key, tonumber(job[3]), 'lost', note, now)
  if job[5] == '1' then
    redis.call('HSET', key, 'state', 'cancelled', 'finishedAt', now)
    redis.call('PEXPIRE', key, ARGV[7])
    cancelled = cancelled + 1
    events[#events + 1] = { id = id, state = 'cancelled', type = job[7], at = now }
    on_final(ARGV[2], id, 'cancelled', now, job[10], job[11])
  elseif after_failure(tonumber(job[3]), tonumber(job[4])) == 'retrying' and lists[job[6]] then
    redis.call('HSET', key, 'state', 'queued', 'error', note, 'errorType', 'Lost')
    redis.call('HDEL', key, 'startedAt', 'node')
    push_job(queue_of(lists, ARGV[2], job[6], job[8]), job[12], id, true)
    requeued = requeued + 1
    events[#events + 1] = { id = id, state = 'queued', type = job[7], at = now, note = note }
  else
    local final = tonumber(job[4]) > 1 and 'dead' or 'failed' -- after_failure's end, also for a bad priority
    redis.call('HSET', key, 'state', final, 'finishedAt', now, 'error', note, 'errorType', 'Lost')
    if final == 'dead' then
      redis.call('ZADD', KEYS[5], now, id)
      redis.call('PEXPIRE', key, ARGV[8])
    else
      redis.call('PEXPIRE', key, ARGV[7])
    end
    dead = dead + 1
    events[#events + 1] = { id = id, state = final, type = job[7], at = now, note = note }
    on_final(ARGV[2], id, final, now, job[10], job[11])
  end
end

local nodes = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #nodes, 2 do
  local node, beat = nodes[i], tonumber(nodes[i + 1])
  local leases = ARGV[1] .. node .. ':leases'
  local gone = node == leaving or beat < now - tonumber(ARGV[3])
  local expired
  if gone then
    expired = redis.call('ZRANGE', leases, 0, -1)
  else
    expired = redis.call('ZRANGEBYSCORE', leases, '-inf', now)
  end
  for _, id in ipairs(expired) do
    recover(node, id, gone)
  end
  if gone then
    redis.call('DEL', ARGV[1] .. node, ARGV[1] .. node .. ':free-workers', leases)
    redis.call('ZREM', KEYS[1], node)
    removed = removed + 1
  elseif #expired > 0 then
    redis.call('ZREM', leases, unpack(expired))
  end
end

-- a leaving node that never registered (or was already reaped) still gets its keys removed
if leaving ~= '' then
  redis.call('DEL', ARGV[1] .. leaving, ARGV[1] .. leaving .. ':free-workers', ARGV[1] .. leaving .. ':leases')
end
-- dead letters whose records expired leave no dangling entry behind, nor do finished jobs' (on_final)
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - tonumber(ARGV[8]))
local ns = ns_of(ARGV[2])
for _, state in ipairs({ 'succeeded', 'failed', 'cancelled' }) do
  redis.call('ZREMRANGEBYSCORE', ns .. 'finished:' .. state, '-inf', now - tonumber(ARGV[7]))
end

-- running counts per capped type and key, recounted from the leases of the nodes still registered
local corrected = 0
if leaving == '' and redis.call('SCARD', ns .. 'limited-types') > 0 then
  local counts = {}
  for _, node in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    for _, id in ipairs(redis.call('ZRANGE', ARGV[1] .. node .. ':leases', 0, -1)) do
      local job = redis.call('HMGET', ARGV[2] .. id, 'state', 'capped')
      if job[1] == 'running' and job[2] then
        local type = string.match(job[2], '^([^|]*)|') or job[2]
        counts[type] = (counts[type] or 0) + 1
        if type ~= job[2] then
          counts[job[2]] = (counts[job[2]] or 0) + 1
        end
      end
    end
  end
  local stored = redis.call('HGETALL', ns .. 'running')
  for i = 1, #stored, 2 do
    local name, n = stored[i], tonumber(stored[i + 1]) or 0
    local actual = counts[name] or 0
    counts[name] = nil
    if n ~= actual then
      corrected = corrected + 1
      if actual == 0 then
        redis.call('HDEL', ns .. 'running', name)
      else
        redis.call('HSET', ns .. 'running', name, actual)
      end
      for _ = 1, n - actual do -- slots found free: as many parked jobs come back
        if not let_back(ARGV[2], ns, ns .. 'parked:' .. name) then
          break
        end
      end
    end
  end
  for name, actual in pairs(counts) do
    corrected = corrected + 1
    redis.call('HSET', ns .. 'running', name, actual)
  end
end

if requeued > 0 then
  redis.call(PUBLISH, ARGV[9], 'recovered')
end
if #events > 0 then
  redis.call(PUBLISH, ARGV[10], cjson.encode(events))
end
local out = { requeued, cancelled, dead, removed, corrected }
for _, value in ipairs(give_back) do
  out[#out + 1] = value
end
return out
