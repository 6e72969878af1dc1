--[[
delete-record: remove a client record that should not exist after all (its creating request failed):
the hash, its lists, and its id from the index, in one step.

KEYS[1]     the record hash
KEYS[2]     the index set
KEYS[3..]   the record's lists
ARGV[1]     record id

Returns     1
Redis       6.2+
]]
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
for i = 3, #KEYS do
  redis.call('DEL', KEYS[i])
end
return 1
