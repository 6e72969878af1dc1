--[[
tokens: a node's (or remote worker's) free-worker tokens when the namespace is partitioned. The token
list lives in partition 0 (the member's home) and a partition's claim cannot pop from it (another
slot), so the dispatcher gives tokens back and takes them here, and hands the taken ones to the
partitions' claims (claim.lua's given tokens): a job is still claimed only for a token taken from this
list, and no token is handed to two claims. A token already in the list is not pushed twice, so a
replayed call cannot inflate the member's capacity.

KEYS[1]     the member's free-worker token list
ARGV[1]     how many tokens to take (after giving back)
ARGV[2..]   tokens to give back first

Returns     the tokens taken
Redis       6.2+ (LPOP with a count)
]]
if #ARGV > 1 then
  local free = {}
  for _, token in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
    free[token] = true
  end
  local back = {}
  for i = 2, #ARGV do
    if not free[ARGV[i]] then
      free[ARGV[i]] = true
      back[#back + 1] = ARGV[i]
    end
  end
  if #back > 0 then
    redis.call('RPUSH', KEYS[1], unpack(back))
  end
end
local want = tonumber(ARGV[1])
if want < 1 then
  return {}
end
return redis.call('LPOP', KEYS[1], want) or {}
