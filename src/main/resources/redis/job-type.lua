--[[
job-type: register, replace or remove a remote job type: a type whose jobs remote workers claim over
HTTP. Its definition lives here so that every node validates submissions the same way, and enqueue.lua
refuses jobs of a type that is not registered, atomically, so a type removed here never gets a job
again. Removal is refused while jobs of the type wait (in its lanes, scheduled or retrying) or run.

KEYS[1]     the type's definition hash
KEYS[2]     set of the remote types' names
KEYS[3..5]  the type's lanes: high, normal, low
KEYS[6]     nodes zset (remote workers are the members named 'remote:...')
KEYS[7]     scheduled zset; KEYS[8] retrying zset
ARGV[1]     'put', 'delete', or 'check' (what a removal would answer, removing nothing: a partitioned
            namespace checks every partition before it removes the type from any)
ARGV[2]     the type's name
ARGV[3]     node key prefix (as reap.lua); ARGV[4] job hash key prefix
ARGV[5]     most scheduled plus retrying jobs a removal looks through: beyond, it is refused as
            unverifiable rather than slow
ARGV[6..]   for 'put': the definition's field names and values

Returns     { 'ok', version } (put: the definition's new version, 1 for a new type); { 'ok', 0 } for a
            removal; { 'missing' } to remove a type that is not registered; { 'busy', what, count }
            where what is queued | running | waiting | unverifiable
Redis       6.2+
]]
if ARGV[1] == 'put' then
  local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
  redis.call('HSET', KEYS[1], unpack(ARGV, 6))
  redis.call('SADD', KEYS[2], ARGV[2])
  return { 'ok', version }
end

if redis.call('EXISTS', KEYS[1]) == 0 then
  return { 'missing' }
end
local queued = redis.call('LLEN', KEYS[3]) + redis.call('LLEN', KEYS[4]) + redis.call('LLEN', KEYS[5])
if queued > 0 then
  return { 'busy', 'queued', queued }
end
local running = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[6], 0, -1)) do
  if string.sub(member, 1, 7) == 'remote:' then
    for _, id in ipairs(redis.call('ZRANGE', ARGV[3] .. member .. ':leases', 0, -1)) do
      if redis.call('HGET', ARGV[4] .. id, 'lane') == ARGV[2] then
        running = running + 1
      end
    end
  end
end
if running > 0 then
  return { 'busy', 'running', running }
end
local waiting_total = redis.call('ZCARD', KEYS[7]) + redis.call('ZCARD', KEYS[8])
if waiting_total > tonumber(ARGV[5]) then
  return { 'busy', 'unverifiable', waiting_total }
end
local waiting = 0
for k = 7, 8 do
  for _, id in ipairs(redis.call('ZRANGE', KEYS[k], 0, -1)) do
    if redis.call('HGET', ARGV[4] .. id, 'lane') == ARGV[2] then
      waiting = waiting + 1
    end
  end
end
if waiting > 0 then
  return { 'busy', 'waiting', waiting }
end
if ARGV[1] == 'check' then
  return { 'ok', 0 }
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
return { 'ok', 0 }
