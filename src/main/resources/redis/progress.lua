--[[
progress: a running job reports how far it is (0-100 and a message). Only the delivery that runs now
may report: a stale one (its job recovered or re-run) is ignored.

KEYS[1]     the job hash
ARGV[1]     the reporting delivery's attempt number
ARGV[2]     percent, 0-100
ARGV[3]     message (may be empty)
ARGV[4]     events channel; ARGV[5] '1' when some node streams every event
ARGV[6]     the job's id (for the event)

Returns     1 when recorded, 0 when the delivery is not the job's current running one
Redis       6.2+
]]
local job = redis.call('HMGET', KEYS[1], 'state', 'attempts', 'watched', 'type')
if job[1] ~= 'running' or job[2] ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'progress', ARGV[2], 'progressMessage', ARGV[3])
if ARGV[5] == '1' or job[3] then
  redis.call(PUBLISH, ARGV[4], cjson.encode({ { id = ARGV[6], state = 'running', type = job[4],
    progress = tonumber(ARGV[2]), message = ARGV[3] } }))
end
return 1
