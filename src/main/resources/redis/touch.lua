--[[
touch: keeps a registered member's heartbeat fresh (a remote worker renewing or finishing jobs in
another partition is alive in partition 0 too); nothing when it is not registered.

KEYS[1]     nodes zset
ARGV[1]     the member id

Returns     1 when it was registered, else 0
Redis       6.2+
]]
redis.call('ZADD', KEYS[1], 'XX', now_ms(), ARGV[1])
return redis.call('ZSCORE', KEYS[1], ARGV[1]) and 1 or 0
