--[[
enqueue: store new jobs and append their ids to their priority lists, in one atomic step.

KEYS[1..3]  queue lists: high, normal, low
KEYS[4..]   one job hash per job, in the order of the ARGV groups
ARGV[1]     wake channel: published to when a list goes from empty to non-empty, so idle
            dispatchers start at once instead of on their next poll
ARGV[2..]   six values per job: id, priority (high|normal|low), type, payload JSON, maxAttempts,
            timeout (ms)

Returns     createdAt: the Redis server time, in ms, stamped on every job of the call
Redis       6.2+ (no 7.x-only commands)
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lists = { high = KEYS[1], normal = KEYS[2], low = KEYS[3] }
local pushes = { high = {}, normal = {}, low = {} }

for i = 4, #KEYS do
  local a = 2 + (i - 4) * 6
  local priority = ARGV[a + 1]
  redis.call('HSET', KEYS[i],
    'type', ARGV[a + 2], 'priority', priority, 'state', 'queued', 'payload', ARGV[a + 3],
    'attempts', 0, 'maxAttempts', ARGV[a + 4], 'timeoutMs', ARGV[a + 5], 'createdAt', now)
  local ids = pushes[priority]
  ids[#ids + 1] = ARGV[a]
end

-- pushed in chunks: unpack() of thousands of values would overflow Lua's stack
local woke = false
for priority, ids in pairs(pushes) do
  for from = 1, #ids, 1000 do
    local to = math.min(from + 999, #ids)
    if redis.call('RPUSH', lists[priority], unpack(ids, from, to)) == to - from + 1 then
      woke = true
    end
  end
end
if woke then
  redis.call('PUBLISH', ARGV[1], 'enqueued')
end
return now
