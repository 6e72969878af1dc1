--[[
watch: mark jobs as waited for and return them. complete.lua and claim.lua announce a job's changes on
the events channel only when it is marked (or the firehose is on), so jobs nobody waits for cost no
pub/sub traffic. Marking and reading in one step leaves no gap: a completion runs either before (the
job read here is already final) or after (it sees the mark and publishes).

KEYS[1..]   job hashes
ARGV[1]     optional: one field to read instead of the whole hash (a batch's progress reads only
            'state': its jobs' payloads and results can be large)
Returns     one entry per key: the job hash as a flat field/value list (after marking), or {field,
            value} when ARGV[1] is given, or an empty list when there is no such job (nothing is created
            for it)
Redis       6.2+
]]
local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('HSET', key, 'watched', 1)
    if ARGV[1] then
      out[i] = {ARGV[1], redis.call('HGET', key, ARGV[1])}
    else
      out[i] = redis.call('HGETALL', key)
    end
  else
    out[i] = {}
  end
end
return out
