--[[
append-record: append an entry to one of a record's lists; the list expires with the record. Nothing
is written when the record no longer exists (it expired or was deleted).

KEYS[1]     the record hash
KEYS[2]     the list
ARGV[1]     the entry

Returns     1 when appended, 0 when the record is gone
Redis       6.2+
]]
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -2 then
  return 0
end
redis.call('RPUSH', KEYS[2], ARGV[1])
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return 1
