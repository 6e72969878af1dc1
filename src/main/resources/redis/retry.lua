--[[
retry: run a dead, failed or cancelled job again, as new: attempts back to 0, last outcome cleared,
no expiry, out of the dead-letter set, at the tail of its priority list.

KEYS[1]     the job hash
KEYS[2..4]  queue lists: high, normal, low (a remote type's job goes to its type's lane instead)
KEYS[5]     dead-letter zset
ARGV[1]     job id
ARGV[2]     wake channel (published to when the list was empty)
ARGV[3]     events channel (retries by hand are rare: always announced)

Returns     'requeued' when re-queued; the job's unchanged state when it cannot be retried (queued,
            running, retrying, succeeded, scheduled); false when there is no such job
Redis       6.2+
]]
local job = redis.call('HMGET', KEYS[1], 'state', 'priority', 'type', 'lane', 'key')
local state = job[1]
if not state then
  return false
end
if state ~= 'dead' and state ~= 'failed' and state ~= 'cancelled' then
  return state
end
local lists = { high = KEYS[2], normal = KEYS[3], low = KEYS[4] }
redis.call('HSET', KEYS[1], 'state', 'queued', 'attempts', 0)
redis.call('HDEL', KEYS[1], 'result', 'error', 'errorType', 'startedAt', 'finishedAt', 'node', 'cancelRequested')
redis.call('PERSIST', KEYS[1])
redis.call('ZREM', KEYS[5], ARGV[1])
-- out of the index of finished jobs it was listed in ({ns}:finished:<state>, see on_final)
redis.call('ZREM', string.sub(KEYS[5], 1, #KEYS[5] - #'dead') .. 'finished:' .. job[1], ARGV[1])
if push_job(queue_of(lists, string.sub(KEYS[1], 1, #KEYS[1] - #ARGV[1]), job[2], job[4]), job[5], ARGV[1], false) then
  redis.call(PUBLISH, ARGV[2], 'retry')
end
redis.call(PUBLISH, ARGV[3], cjson.encode({ { id = ARGV[1], state = 'queued', type = job[3] } }))
return 'requeued'
