--[[
create-record: store a client record (an order, say) and index it, in one step, so a crash or a
lost connection can never leave a record without its index entry or the other way round.

KEYS[1]     the record hash
KEYS[2]     the index set the record's id joins
ARGV[1]     record id
ARGV[2]     retention of both, ms
ARGV[3..]   field, value, field, value, ...

Returns     1
Redis       6.2+
]]
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
