--[[
stats: one consistent snapshot of the queues and of the given nodes' workers, read in one script
(no claim or completion can land between reading a node's free tokens and its leases, so
free + running = pool holds in what is reported). Read-only.

KEYS[1..3]  queue lists: high, normal, low
KEYS[4]     retrying zset; KEYS[5] dead-letter zset; KEYS[6] scheduled zset
KEYS[7..]   per node, three keys: its hash, its free-worker list, its lease zset

Returns     { depth high, normal, low, retrying, dead, scheduled,
              then per node: poolSize (or false), free tokens, leases }
Redis       6.2+
]]
local out = {}
for i = 1, 3 do
  out[#out + 1] = waiting_in(KEYS[i])
end
out[#out + 1] = redis.call('ZCARD', KEYS[4])
out[#out + 1] = redis.call('ZCARD', KEYS[5])
out[#out + 1] = redis.call('ZCARD', KEYS[6])
for i = 7, #KEYS, 3 do
  out[#out + 1] = redis.call('HGET', KEYS[i], 'poolSize')
  out[#out + 1] = redis.call('LLEN', KEYS[i + 1])
  out[#out + 1] = redis.call('ZCARD', KEYS[i + 2])
end
return out
