--[[
purge: delete a dead job for good: its record and its entry in the dead-letter set. Only dead jobs;
anything else is left alone.

KEYS[1]     the job hash
KEYS[2]     dead-letter zset
ARGV[1]     job id

Returns     1 when purged, 0 when the job is not dead (or does not exist)
Redis       6.2+
]]
if redis.call('HGET', KEYS[1], 'state') ~= 'dead' then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
