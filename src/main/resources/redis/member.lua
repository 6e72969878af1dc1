--[[
member: on a partitioned namespace, a remote worker's registration in a partition other than 0: it is
in that partition's nodes zset (so the partition's reaper recovers its expired leases there, as for
any node) and has an info hash there naming its owner (which lease.lua and finish.lua check). Its
tokens and slots live in partition 0 only (worker.lua), which also decides who owns the id: this is
called only once partition 0 accepted the owner, so it writes the owner whatever was there (a
registration left over from a worker of the same id that is gone in partition 0).

KEYS[1]     the partition's nodes zset
KEYS[2]     the worker's info hash in the partition
ARGV[1]     the worker's member id ('remote:<workerId>')
ARGV[2]     owner: the API key's name (empty without keys)

Returns     'ok'
Redis       6.2+
]]
local now = now_ms()
redis.call('HSET', KEYS[2], 'kind', 'remote', 'owner', ARGV[2], 'heartbeatAt', now)
redis.call('ZADD', KEYS[1], now, ARGV[1])
return 'ok'
