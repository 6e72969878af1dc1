--[[
heartbeat: announce a node, renew the leases of the jobs it runs, hand back what it holds but does
not run, make its free-worker list say exactly what the node knows to be idle, and check that Redis
still holds the namespace. Called with every token idle and no job, it (re)registers a starting
node: a restart never doubles tokens.

The node is the only writer of its own token list and lease set, and calls this from the same thread
that claims and completes, so its view of idle tokens and running jobs is exact when the call is made:
- A token list that differs (a lost reply, a manual edit, a reaper that took the node for dead) is
  rewritten, and the call says so.
- A lease for a job the node does not know it runs is one a claim took whose reply never arrived
  (it timed out): the job never started, so it goes back to the head of its queue at once with its
  attempt given back, instead of waiting out the lease and losing an attempt.
- Running jobs whose cancel was requested are named in the reply, so a cancel whose message was
  missed (it arrived before the job's worker was registered) still reaches the worker.

KEYS[1]     nodes zset (node id -> last heartbeat, ms)
KEYS[2]     the node's info hash
KEYS[3]     the node's free-worker token list
KEYS[4]     the node's lease zset
KEYS[5..7]  queue lists: high, normal, low
KEYS[8]     the namespace's epoch marker (a string: when the namespace was first used, ms)
ARGV[1]     node id
ARGV[2]     lease length, ms
ARGV[3]     pool size
ARGV[4]     job hash key prefix
ARGV[5]     the epoch the node saw before; empty at start-up
ARGV[6]     wake channel
ARGV[7]     retention of a cancelled job, ms
ARGV[8]     n: how many idle tokens follow
ARGV[9..8+n]  the idle tokens
ARGV[9+n]   r: how many ids follow of jobs whose lease is to be renewed; only leases that still exist
            are renewed (XX), so a job recovered meanwhile stays with whoever has it now
ARGV[10+n..9+n+r]  those ids
ARGV[10+n+r..]     ids of jobs the node runs but no longer renews (past timeout + lease): left alone

Returns     { now, repaired, handedBack, epoch, epochState, cancel ids... }: repaired is 1 when the
            token list had to be rewritten; handedBack counts jobs given back; epoch is the marker's
            value now; epochState 0 = as seen before, 1 = first seen (start-up), 2 = the marker was
            missing or different: Redis lost the namespace's data (restarted empty, flushed, evicted)
Redis       6.2+
]]
local now = now_ms()
local n = tonumber(ARGV[8])
local r = tonumber(ARGV[9 + n])

redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('HSET', KEYS[2], 'poolSize', ARGV[3], 'heartbeatAt', now)

-- the namespace's epoch: set once, checked by every node on every beat
local epoch = redis.call('GET', KEYS[8])
local epoch_state = 0
if not epoch then
  epoch = tostring(now)
  redis.call('SET', KEYS[8], epoch)
  epoch_state = ARGV[5] == '' and 1 or 2
elseif ARGV[5] == '' then
  epoch_state = 1
elseif epoch ~= ARGV[5] then
  epoch_state = 2
end

local known = {}
local cancel = {}
if r > 0 then
  local deadline = now + tonumber(ARGV[2])
  local renew = {}
  for i = 10 + n, 9 + n + r do
    renew[#renew + 1] = deadline
    renew[#renew + 1] = ARGV[i]
    known[ARGV[i]] = true
    if redis.call('HGET', ARGV[4] .. ARGV[i], 'cancelRequested') == '1' then
      cancel[#cancel + 1] = ARGV[i]
    end
  end
  redis.call('ZADD', KEYS[4], 'XX', unpack(renew))
end
for i = 10 + n + r, #ARGV do
  known[ARGV[i]] = true
end

-- leases of jobs this node does not run: claimed, but the claim's reply was lost
local lists = { high = KEYS[5], normal = KEYS[6], low = KEYS[7] }
local handed = 0
local woke = false
for _, id in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do
  if not known[id] then
    redis.call('ZREM', KEYS[4], id)
    local key = ARGV[4] .. id
    local job = redis.call('HMGET', key, 'state', 'node', 'attempts', 'priority', 'cancelRequested', 'callback', 'batch', 'key', 'capped')
    if job[1] == 'running' and job[2] == ARGV[1] and lists[job[4]] then
      handed = handed + 1
      release_slot(ARGV[4], id, job[9] or nil)
      if job[5] == '1' then
        redis.call('HSET', key, 'state', 'cancelled', 'finishedAt', now)
        redis.call('PEXPIRE', key, ARGV[7])
        on_final(ARGV[4], id, 'cancelled', now, job[6], job[7])
      else
        redis.call('HSET', key, 'state', 'queued', 'attempts', math.max(0, tonumber(job[3]) - 1))
        redis.call('HDEL', key, 'startedAt', 'node')
        if push_job(lists[job[4]], job[8], id, true) then
          woke = true
        end
      end
    end
  end
end
if woke then
  redis.call(PUBLISH, ARGV[6], 'handed-back')
end

local out = { now, 0, handed, epoch, epoch_state }
for _, id in ipairs(cancel) do
  out[#out + 1] = id
end

local want = {}
for i = 9, 8 + n do
  want[ARGV[i]] = (want[ARGV[i]] or 0) + 1
end
local have = redis.call('LRANGE', KEYS[3], 0, -1)
local same = #have == n
if same then
  for _, token in ipairs(have) do
    if not want[token] or want[token] == 0 then
      same = false
      break
    end
    want[token] = want[token] - 1
  end
end
if same then
  return out
end
redis.call('DEL', KEYS[3])
if n > 0 then
  redis.call('RPUSH', KEYS[3], unpack(ARGV, 9, 8 + n))
end
out[2] = 1
return out
