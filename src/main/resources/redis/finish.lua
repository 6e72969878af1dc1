--[[
finish: a remote worker reports how jobs it holds ended. The same rule as complete.lua decides each
job's new state (record_outcome in the prelude), but the token accounting differs: a remote worker's
token travels with its lease, so it comes back only when the outcome counts. An outcome counts when
the job still runs on this worker in the same attempt under the same lease. A second report of the
same lease (a retry after a lost reply) changes nothing and answers as the first did; a report whose
lease no longer holds the job (it was recovered and claimed again) is stale and changes nothing.

KEYS[1]     the worker's free-worker token list; or, on a partitioned namespace, the partition's
            never-written placeholder key ({ns}:-): then no token is pushed here, and the reply ends
            with the tokens the counted outcomes freed, for the caller to give back in partition 0
KEYS[2]     the worker's lease zset
KEYS[3]     retrying zset; KEYS[4] dead-letter zset
KEYS[5]     the worker's info hash
ARGV[1]     the worker's member id ('remote:<workerId>')
ARGV[2]     job hash key prefix
ARGV[3]     retention of finished jobs, ms; ARGV[4] of dead jobs, ms
ARGV[5]     wake channel; ARGV[6] events channel; ARGV[7] '1' when some node streams every event
ARGV[8]     the caller's API key name (empty without keys): must own the worker
ARGV[9..]   eight values per outcome: id, lease, attempt, kind (succeeded|failed|permanent|released),
            result JSON (or empty), error message, error type, back-off ms. released hands a job back
            unfinished (a worker shutting down): it goes back to the head of its lane with its attempt
            given back, as a node's heartbeat hands back a claim it never started.

Returns     { 'forbidden', owner } when the worker is another key's; else two values per outcome:
            'ok' | 'replay' | 'stale' | 'gone', and the job's state after the call (empty when gone);
            then, with the placeholder as KEYS[1], the freed tokens
Redis       6.2+
]]
local owner = redis.call('HGET', KEYS[5], 'owner')
if owner and owner ~= ARGV[8] then
  return { 'forbidden', owner }
end
local now = now_ms()
local firehose = ARGV[7] == '1'
local outcome_keys = { retrying = KEYS[3], dead = KEYS[4], retention = ARGV[3], dead_retention = ARGV[4],
  max_throttled = 0, job_prefix = ARGV[2] }
local out, done, tokens, events = {}, {}, {}, {}
local earliest = nil
for i = 9, #ARGV, 8 do
  local id, lease, attempt = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local key = ARGV[2] .. id
  local job = redis.call('HMGET', key, 'state', 'attempts', 'node', 'maxAttempts', 'cancelRequested', 'errorType',
    'watched', 'type', 'lease', 'token', 'finishedLease', 'callback', 'batch', 'capped')
  if not job[1] then
    out[#out + 1] = 'gone'
    out[#out + 1] = ''
  elseif job[1] == 'running' and job[2] == attempt and job[3] == ARGV[1] and job[9] == lease then
    done[#done + 1] = id
    if job[10] then
      tokens[#tokens + 1] = job[10]
    end
    local state, due
    if ARGV[i + 3] == 'released' and job[5] ~= '1' then
      release_slot(ARGV[2], id, job[14] or nil)
      state = 'queued'
      local lane = redis.call('HGET', key, 'lane')
      redis.call('HSET', key, 'state', 'queued', 'attempts', math.max(0, tonumber(job[2]) - 1))
      redis.call('HDEL', key, 'startedAt', 'node')
      if push_job(queue_of({}, ARGV[2], redis.call('HGET', key, 'priority'), lane), redis.call('HGET', key, 'key'), id,
          true) then
        redis.call(PUBLISH, ARGV[5], 'released')
      end
    else
      state, due = record_outcome(id, key, { attempts = tonumber(job[2]), max_attempts = tonumber(job[4]),
        cancel_requested = job[5], had_error = job[6], callback = job[12], batch = job[13], capped = job[14] or nil, type = job[8] }, ARGV[i + 3] == 'released' and 'cancelled' or ARGV[i + 3],
        ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], tonumber(ARGV[i + 7]), now, outcome_keys)
    end
    redis.call('HSET', key, 'finishedLease', lease)
    if firehose or job[7] then
      events[#events + 1] = { id = id, state = state, type = job[8], attempt = tonumber(job[2]), at = now }
    end
    if due and (not earliest or due < earliest) then
      earliest = due
    end
    out[#out + 1] = 'ok'
    out[#out + 1] = state
  elseif job[11] == lease then
    out[#out + 1] = 'replay'
    out[#out + 1] = job[1]
  else
    out[#out + 1] = 'stale'
    out[#out + 1] = job[1]
  end
end
if #done > 0 then
  redis.call('ZREM', KEYS[2], unpack(done))
  redis.call('HSET', KEYS[5], 'heartbeatAt', now)
end
local give_back = KEYS[1] == ns_of(ARGV[2]) .. '-'
if #tokens > 0 and not give_back then
  redis.call('RPUSH', KEYS[1], unpack(tokens))
end
announce(ARGV[6], events, ARGV[5], KEYS[3], earliest)
if give_back then
  for _, token in ipairs(tokens) do
    out[#out + 1] = token
  end
end
return out
