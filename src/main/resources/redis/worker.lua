--[[
worker: register a remote worker, or keep it registered (its claim and its beat both call this). A
remote worker is a node whose workers are another process's slots: it has the same token list, lease
set and info hash as a node, is in the same nodes zset, and the same reap.lua recovers its jobs when
it falls silent for a lease.

The first call creates 'slots' tokens (r1:g..rN:g, g their generation: fill_tokens in the prelude),
so free + leased = slots from the start. A later
call with another number of slots resizes the list only while the worker holds no lease (its tokens
are all free then); while it holds jobs the call is refused, so the count never drifts. A worker
belongs to the API key that registered it: another key may not use its id until it is gone.

KEYS[1]     nodes zset (member -> last heartbeat, ms)
KEYS[2]     the worker's info hash
KEYS[3]     the worker's free-worker token list
KEYS[4]     the worker's lease zset
ARGV[1]     the worker's member id in the nodes zset ('remote:<workerId>')
ARGV[2]     slots; empty to keep what it has (a beat), and then a worker not registered stays so
ARGV[3]     owner: the API key's name (empty without keys)
ARGV[4]     the types it claims, comma-separated (shown by the queues view); empty to keep them

Returns     { 'ok', state, slots } with state run | quiet | stop (set by an admin: quiet claims nothing
            more, stop also asks the worker to hand back what it holds and exit);
            { 'unknown' } for a beat of a worker that is not registered;
            { 'owned', owner } when another key registered this id;
            { 'busy', slots, leased } when the slots would change while it holds jobs
Redis       6.2+
]]
local now = now_ms()

local info = redis.call('HMGET', KEYS[2], 'slots', 'owner', 'state')
if info[2] and info[2] ~= ARGV[3] then
  return { 'owned', info[2] }
end
local slots = tonumber(info[1] or 0)
if not info[1] then
  if ARGV[2] == '' then
    return { 'unknown' }
  end
  slots = tonumber(ARGV[2])
  fill_tokens(KEYS[2], KEYS[3], slots, now)
  redis.call('HSET', KEYS[2], 'kind', 'remote', 'slots', slots, 'poolSize', slots, 'owner', ARGV[3], 'state', 'run',
    'registeredAt', now)
elseif ARGV[2] ~= '' and tonumber(ARGV[2]) ~= slots then
  local leased = redis.call('ZCARD', KEYS[4])
  if leased > 0 then
    return { 'busy', slots, leased }
  end
  slots = tonumber(ARGV[2])
  fill_tokens(KEYS[2], KEYS[3], slots, now)
  redis.call('HSET', KEYS[2], 'slots', slots, 'poolSize', slots)
end
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[2], 'types', ARGV[4])
end
redis.call('HSET', KEYS[2], 'heartbeatAt', now)
redis.call('ZADD', KEYS[1], now, ARGV[1])
return { 'ok', info[3] or 'run', slots }
