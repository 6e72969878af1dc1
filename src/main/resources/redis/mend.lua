--[[
mend: gives a remote worker of a partitioned namespace back the slots it lost. Its tokens travel with
its leases, and a lease that ends in another partition returns its token to the node that ran the
script, which gives it back here (tokens.lua); a node that dies in between loses that token. When the
worker holds no lease anywhere and its list is short of its slots, the list is filled anew with a new
generation of tokens (fill_tokens), so a give-back still on its way is dropped instead of making a slot
too many. Called under the worker's claim lock, so no claim makes a lease meanwhile.

KEYS[1]     the worker's info hash (partition 0)
KEYS[2]     its free-worker token list
KEYS[3]     its lease zset in partition 0
(no ARGV: the caller found no lease in the other partitions, under the same lock)

Returns     how many tokens it added
Redis       6.2+
]]
if redis.call('ZCARD', KEYS[3]) > 0 then
  return 0
end
local slots = tonumber(redis.call('HGET', KEYS[1], 'slots') or 0)
local free = redis.call('LLEN', KEYS[2])
if slots < 1 or free >= slots then
  return 0
end
fill_tokens(KEYS[1], KEYS[2], slots, now_ms())
return slots - free
