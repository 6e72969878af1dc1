--[[
watch: mark a job as waited for and return it. complete.lua announces a finished job on the finished
channel only when it is marked, so jobs nobody waits for cost no pub/sub traffic. Marking and reading
in one step leaves no gap: a completion runs either before (the job read here is already final) or
after (it sees the mark and publishes).

KEYS[1]     the job hash
Returns     the job hash as a flat field/value list (after marking); empty when there is no such job
Redis       6.2+
]]
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {}
end
redis.call('HSET', KEYS[1], 'watched', 1)
return redis.call('HGETALL', KEYS[1])
