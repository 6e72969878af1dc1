--[[
heartbeat: announce a node, renew the leases of the jobs it runs, and make its free-worker list say
exactly what the node knows to be idle. Called with every token idle and no job, it (re)registers a
starting node: a restart never doubles tokens.

The node is the only writer of its own token list and calls this from the same thread that claims
and completes, so its view of idle tokens is exact when the call is made. A list that differs (a lost
reply, a manual edit, a reaper that took the node for dead) is rewritten, and the call says so.

KEYS[1]     nodes zset (node id -> last heartbeat, ms)
KEYS[2]     the node's info hash
KEYS[3]     the node's free-worker token list
KEYS[4]     the node's lease zset
ARGV[1]     node id
ARGV[2]     lease length, ms
ARGV[3]     pool size
ARGV[4]     n: how many idle tokens follow
ARGV[5..4+n]  the idle tokens
ARGV[5+n..]   the ids of the jobs the node's workers run; only leases that still exist are renewed
              (XX), so a job recovered meanwhile stays with whoever has it now

Returns     { now, repaired }: repaired is 1 when the token list had to be rewritten
Redis       6.2+
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[4])

redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('HSET', KEYS[2], 'poolSize', ARGV[3], 'heartbeatAt', now)

if #ARGV > 4 + n then
  local deadline = now + tonumber(ARGV[2])
  local renew = {}
  for i = 5 + n, #ARGV do
    renew[#renew + 1] = deadline
    renew[#renew + 1] = ARGV[i]
  end
  redis.call('ZADD', KEYS[4], 'XX', unpack(renew))
end

local want = {}
for i = 5, 4 + n do
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
  return { now, 0 }
end
redis.call('DEL', KEYS[3])
if n > 0 then
  redis.call('RPUSH', KEYS[3], unpack(ARGV, 5, 4 + n))
end
return { now, 1 }
