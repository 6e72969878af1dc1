--[[
cancel: stop a job. A queued, scheduled or retrying job is cancelled on the spot and will never run. A running
job is marked (cancelRequested) and its node is told over the cancel channel to interrupt the worker
(a remote worker learns it from its next lease renewal, answered 410);
whatever the delivery then reports, complete.lua records it as cancelled, and so does reap.lua if the
node is gone. Finished jobs are left alone.

KEYS[1]     the job hash
KEYS[2..4]  queue lists: high, normal, low (a remote type's job is in its type's lane instead)
KEYS[5]     retrying zset (the key {ns}:delayed)
KEYS[6]     scheduled zset
ARGV[1]     job id
ARGV[2]     retention of cancelled jobs, ms
ARGV[3]     cancel channel (gets the job id when a running job must be interrupted)
ARGV[4]     events channel (cancels are rare: always announced)

Returns     { state after the call, changed }: { 'cancelled', 1 } when cancelled now; { 'running', 1 }
            when the interruption was requested; { state, 0 } for a job already finished (succeeded,
            failed, dead, cancelled) or already being cancelled; false when there is no such job
Redis       6.2+
]]
local job = redis.call('HMGET', KEYS[1], 'state', 'priority', 'cancelRequested', 'type', 'lane', 'callback', 'batch', 'key', 'parked')
local state = job[1]
if not state then
  return false
end
local lists = { high = KEYS[2], normal = KEYS[3], low = KEYS[4] }

if state == 'queued' or state == 'retrying' or state == 'scheduled' then
  if state == 'queued' then
    if job[9] then
      redis.call('LREM', job[9], 1, ARGV[1]) -- parked: waiting for a slot of its type's cap
      redis.call('HDEL', KEYS[1], 'parked')
    else
      remove_job(queue_of(lists, string.sub(KEYS[1], 1, #KEYS[1] - #ARGV[1]), job[2], job[5]), job[8], ARGV[1])
    end
  elseif state == 'retrying' then
    redis.call('ZREM', KEYS[5], ARGV[1])
  else
    redis.call('ZREM', KEYS[6], ARGV[1])
  end
  local now = now_ms()
  redis.call('HSET', KEYS[1], 'state', 'cancelled', 'finishedAt', now)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call(PUBLISH, ARGV[4], cjson.encode({ { id = ARGV[1], state = 'cancelled', type = job[4], at = now } }))
  on_final(string.sub(KEYS[1], 1, #KEYS[1] - #ARGV[1]), ARGV[1], 'cancelled', now, job[6], job[7])
  return { 'cancelled', 1 }
end
if state == 'running' and job[3] ~= '1' then
  -- watched: the cancelling request waits for the interrupted delivery to be recorded
  redis.call('HSET', KEYS[1], 'cancelRequested', 1, 'watched', 1)
  redis.call(PUBLISH, ARGV[3], ARGV[1])
  return { 'running', 1 }
end
return { state, 0 }
