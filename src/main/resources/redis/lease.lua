--[[
lease: a remote worker renews the lease of a job it runs, and may report progress. Only the delivery
that holds the job now may: its worker, attempt and lease must all match. When the job's cancel was
requested, the job ends here as cancelled and the worker's token comes back: the worker is told to
stop (HTTP 410) and has nothing left to report.

KEYS[1]     the job hash
KEYS[2]     the worker's lease zset
KEYS[3]     the worker's free-worker token list; or, on a partitioned namespace, the partition's
            placeholder key ({ns}:-): then a cancel's freed token is not pushed but returned
            ({ 'cancelled', token }) for the caller to give back in partition 0
KEYS[4]     nodes zset (the worker's registration is kept fresh too)
KEYS[5]     the worker's info hash
ARGV[1]     the worker's member id ('remote:<workerId>')
ARGV[2]     the lease ('<base>.<n>', as claim.lua gave it)
ARGV[3]     the attempt it was given
ARGV[4]     lease length, ms
ARGV[5]     progress 0-100, or empty; ARGV[6] progress message
ARGV[7]     events channel; ARGV[8] '1' when some node streams every event
ARGV[9]     the job's id; ARGV[10] retention of a cancelled job, ms
ARGV[11]    the caller's API key name (empty without keys): must own the worker

Returns     { 'ok', new lease deadline (ms) }; { 'cancelled' } (now, or already by this lease);
            { 'stale', state } when this lease no longer holds the job; { 'gone' } when there is no
            such job; { 'forbidden', owner } when the worker is another key's
Redis       6.2+
]]
local owner = redis.call('HGET', KEYS[5], 'owner')
if owner and owner ~= ARGV[11] then
  return { 'forbidden', owner }
end
local job = redis.call('HMGET', KEYS[1], 'state', 'node', 'attempts', 'lease', 'cancelRequested', 'token', 'type',
  'watched', 'finishedLease', 'callback', 'batch', 'capped')
if not job[1] then
  return { 'gone' }
end
if job[1] == 'cancelled' and job[9] == ARGV[2] then
  return { 'cancelled' }
end
if job[1] ~= 'running' or job[2] ~= ARGV[1] or job[3] ~= ARGV[3] or job[4] ~= ARGV[2] then
  return { 'stale', job[1] }
end
local now = now_ms()
if job[5] == '1' then
  release_slot(string.sub(KEYS[1], 1, #KEYS[1] - #ARGV[9]), ARGV[9], job[12] or nil)
  redis.call('HSET', KEYS[1], 'state', 'cancelled', 'finishedAt', now, 'finishedLease', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[10])
  redis.call('ZREM', KEYS[2], ARGV[9])
  local prefix = string.sub(KEYS[1], 1, #KEYS[1] - #ARGV[9])
  local give_back = KEYS[3] == ns_of(prefix) .. '-'
  if job[6] and not give_back then
    redis.call('RPUSH', KEYS[3], job[6])
  end
  redis.call(PUBLISH, ARGV[7], cjson.encode({ { id = ARGV[9], state = 'cancelled', type = job[7], at = now } }))
  on_final(prefix, ARGV[9], 'cancelled', now, job[10], job[11])
  if give_back and job[6] then
    return { 'cancelled', job[6] }
  end
  return { 'cancelled' }
end
local deadline = now + tonumber(ARGV[4])
redis.call('ZADD', KEYS[2], 'XX', deadline, ARGV[9])
redis.call('ZADD', KEYS[4], 'XX', now, ARGV[1])
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[1], 'progress', ARGV[5], 'progressMessage', ARGV[6])
  if ARGV[8] == '1' or job[8] then
    redis.call(PUBLISH, ARGV[7], cjson.encode({ { id = ARGV[9], state = 'running', type = job[7],
      progress = tonumber(ARGV[5]), message = ARGV[6] } }))
  end
end
return { 'ok', deadline }
