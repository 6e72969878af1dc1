--[[
depth: what one partition holds for a node's claim cycle, when the namespace is partitioned: how many
jobs wait at each priority (paused priorities count as none, keyed jobs included), and when its next
delayed job falls due. The dispatcher reads the partitions it does not know in one pipelined round
trip, then claims every partition's high jobs before any normal job, and normal before low.

KEYS[1..3]  queue lists: high, normal, low
KEYS[4]     retrying zset (the key {ns}:delayed)
KEYS[5]     scheduled zset
KEYS[6]     paused set

Returns     { now, nextDue (ms, or -1), high, normal, low }
Redis       6.2+
]]
local paused = {}
for _, priority in ipairs(redis.call('SMEMBERS', KEYS[6])) do
  paused[priority] = true
end
local counts = {}
for i, priority in ipairs({ 'high', 'normal', 'low' }) do
  counts[i] = paused[priority] and 0 or waiting_in(KEYS[i])
end
local next_due = -1
for _, zset in ipairs({ KEYS[4], KEYS[5] }) do
  local first = redis.call('ZRANGE', zset, 0, 0, 'WITHSCORES')
  if first[2] then
    local due = tonumber(first[2])
    if next_due < 0 or due < next_due then
      next_due = due
    end
  end
end
return { now_ms(), next_due, counts[1], counts[2], counts[3] }
