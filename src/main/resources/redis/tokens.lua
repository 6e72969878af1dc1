--[[
tokens: a node's (or remote worker's) free-worker tokens when the namespace is partitioned. The token
list lives in partition 0 (the member's home) and a partition's claim cannot pop from it (another
slot), so the dispatcher gives tokens back and takes them here, and hands the taken ones to the
partitions' claims (claim.lua's given tokens): a job is still claimed only for a token taken from this
list, and no token is handed to two claims. A token already in the list is not pushed twice, so a
replayed call cannot inflate the member's capacity.

KEYS[1]     the member's free-worker token list
KEYS[2]     optional: a remote worker's info hash; given, a token given back is dropped unless it is of
            the worker's current generation ('gen', set by fill_tokens; a token 'rN' without one and a
            hash without one are generation 0): a late give-back after a refill adds nothing
ARGV[1]     how many tokens to take (after giving back)
ARGV[2..]   tokens to give back first

Returns     the tokens taken
Redis       6.2+ (LPOP with a count)
]]
if #ARGV > 1 then
  local gen = nil
  if KEYS[2] then
    gen = redis.call('HGET', KEYS[2], 'gen') or '0'
  end
  local free = {}
  for _, token in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
    free[token] = true
  end
  local back = {}
  for i = 2, #ARGV do
    if not free[ARGV[i]] and (gen == nil or (string.match(ARGV[i], ':(%d+)$') or '0') == gen) then
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
