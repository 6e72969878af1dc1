--[[
leave: take a stopping node out of the cluster. Jobs it still holds go back to the head of their
priority lists (they were next in line once already), and its token list, lease set, info hash and
registration are removed, so no capacity is left behind for a node that is gone.

KEYS[1]     nodes zset
KEYS[2]     the node's info hash
KEYS[3]     the node's free-worker token list
KEYS[4]     the node's lease zset
KEYS[5..7]  queue lists: high, normal, low
ARGV[1]     node id
ARGV[2]     job hash key prefix (see claim.lua)

Returns     the number of jobs put back
Redis       6.2+
]]
local lists = { high = KEYS[5], normal = KEYS[6], low = KEYS[7] }
local back = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do
  local key = ARGV[2] .. id
  local job = redis.call('HMGET', key, 'state', 'node', 'priority')
  if job[1] == 'running' and job[2] == ARGV[1] and lists[job[3]] then
    redis.call('HSET', key, 'state', 'queued')
    redis.call('HDEL', key, 'startedAt', 'node')
    redis.call('LPUSH', lists[job[3]], id)
    back = back + 1
  end
end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
redis.call('ZREM', KEYS[1], ARGV[1])
return back
