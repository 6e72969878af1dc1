--[[
purge: delete a dead job for good: its record and its entry in the dead-letter set. Only dead jobs;
anything else is left alone.

KEYS[1]     the job hash
KEYS[2]     dead-letter zset
ARGV[1]     job id

Returns     'dead' when purged; the job's state, unchanged, when it is not dead; false when there is
            no such job
Redis       6.2+
]]
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return false
end
if state ~= 'dead' then
  return state
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 'dead'
