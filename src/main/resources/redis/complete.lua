--[[
complete: record how jobs of one node ended and give their workers' tokens back, in one step.

An outcome counts only if its job is still running on this node in the same attempt: a delivery that
was recovered, re-run or removed meanwhile is fenced off and cannot overwrite the newer state. Its
token comes back all the same, because the worker is free either way. A token already in the list
is not pushed twice, so replaying a call whose reply was lost cannot inflate the node's capacity.

KEYS[1]     the node's free-worker token list
KEYS[2]     the node's lease zset
ARGV[1]     node id
ARGV[2]     job hash key prefix (see claim.lua)
ARGV[3]     retention of finished jobs, ms
ARGV[4]     finished channel: gets the space-separated ids of the jobs recorded here
ARGV[5..]   seven values per outcome: id, token, attempt, state (succeeded|failed), result JSON
            (empty when failed), error message, error type (both empty when succeeded)

Returns     the number of outcomes recorded (fenced ones are not counted)
Redis       6.2+
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local free = {}
for _, token in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  free[token] = true
end

local tokens, done = {}, {}
for i = 5, #ARGV, 7 do
  local id, token = ARGV[i], ARGV[i + 1]
  if not free[token] then
    free[token] = true
    tokens[#tokens + 1] = token
  end
  local key = ARGV[2] .. id
  local job = redis.call('HMGET', key, 'state', 'attempts', 'node')
  if job[1] == 'running' and job[2] == ARGV[i + 2] and job[3] == ARGV[1] then
    if ARGV[i + 3] == 'succeeded' then
      redis.call('HSET', key, 'state', 'succeeded', 'finishedAt', now, 'result', ARGV[i + 4])
    else
      redis.call('HSET', key, 'state', 'failed', 'finishedAt', now,
        'error', ARGV[i + 5], 'errorType', ARGV[i + 6])
    end
    redis.call('PEXPIRE', key, ARGV[3])
    done[#done + 1] = id
  end
end

if #done > 0 then
  redis.call('ZREM', KEYS[2], unpack(done))
  redis.call('PUBLISH', ARGV[4], table.concat(done, ' '))
end
if #tokens > 0 then
  redis.call('RPUSH', KEYS[1], unpack(tokens))
end
return #done
