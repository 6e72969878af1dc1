--[[
unpark: a type's caps changed: every job it parked (waiting for a slot) goes back to the head of its
queue, in the order it was parked, and the dispatchers are woken; the next claims apply the new caps
(parking again what is still over them).

KEYS[1]     the type's set of parked lists ({ns}:parked-lists:<type>)
ARGV[1]     job hash key prefix
ARGV[2]     wake channel

Returns     how many jobs went back
Redis       6.2+
]]
local ns = ns_of(ARGV[1])
local lists = { high = ns .. 'queue:high', normal = ns .. 'queue:normal', low = ns .. 'queue:low' }
local moved = 0
for _, parked in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local id = redis.call('RPOP', parked)
  while id do
    local key = ARGV[1] .. id
    local job = redis.call('HMGET', key, 'state', 'priority', 'lane', 'key')
    redis.call('HDEL', key, 'parked')
    if job[1] == 'queued' and lists[job[2]] then
      push_job(queue_of(lists, ARGV[1], job[2], job[3]), job[4], id, true)
      moved = moved + 1
    end
    id = redis.call('RPOP', parked)
  end
end
redis.call('DEL', KEYS[1])
if moved > 0 then
  redis.call(PUBLISH, ARGV[2], 'unparked')
end
return moved
