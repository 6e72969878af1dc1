--[[
watch: mark jobs as waited for and return them. complete.lua and claim.lua announce a job's changes on
the events channel only when it is marked (or the firehose is on), so jobs nobody waits for cost no
pub/sub traffic. Marking and reading in one step leaves no gap: a completion runs either before (the
job read here is already final) or after (it sees the mark and publishes).

KEYS[1..]   job hashes
Returns     one entry per key: the job hash as a flat field/value list (after marking), or an empty
            list when there is no such job (nothing is created for it)
Redis       6.2+
]]
local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('HSET', key, 'watched', 1)
    out[i] = redis.call('HGETALL', key)
  else
    out[i] = {}
  end
end
return out
