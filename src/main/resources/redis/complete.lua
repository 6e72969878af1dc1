--[[
complete: record how deliveries of one node's jobs ended and give their workers' tokens back, in
one step.

An outcome counts only if its job is still running on this node in the same attempt: a delivery that
was recovered, re-run or removed meanwhile is fenced off and cannot overwrite the newer state. Its
token comes back all the same, because the worker is free either way. A token already in the list
is not pushed twice, so replaying a call whose reply was lost cannot inflate the node's capacity.

What a counted outcome does:
  succeeded  -> succeeded (cancelled instead if a cancel was requested meanwhile; a cancelled job
                keeps no result, whatever its handler returned)
  cancelled  -> cancelled (the worker was interrupted on request)
  failed     -> retrying, due after the back-off, while attempts < maxAttempts; then
                dead (into the dead-letter set) if the job had retries, failed if it had one attempt.
                A requested cancel wins over all of these.
  permanent  -> failed, whatever attempts are left (the handler said retrying cannot help)

KEYS[1]     the node's free-worker token list
KEYS[2]     the node's lease zset
KEYS[3]     retrying zset (the key {ns}:delayed; job id -> due time, ms)
KEYS[4]     dead-letter zset (job id -> time of death, ms)
ARGV[1]     node id
ARGV[2]     job hash key prefix (see claim.lua)
ARGV[3]     retention of succeeded, failed and cancelled jobs, ms
ARGV[4]     retention of dead jobs, ms
ARGV[5]     wake channel: published to when a retry becomes the earliest delayed job
ARGV[6]     events channel: gets the new state of every job someone watches (watch.lua marks them;
            long-polls wait on it) or, while ARGV[7] is '1', of every job; others are not announced
ARGV[8]     how many throttled outcomes a job may have with its attempt given back (max-throttled-retries)
ARGV[9..]   eight values per outcome: id, token, attempt, kind (succeeded|cancelled|failed|permanent|
            throttled|deferred), result JSON (or empty), error message, error type (both empty unless
            failed), back-off ms (for throttled and deferred: how long until it is tried again)

            A token may be empty (a partitioned namespace: the tokens live in partition 0 and the caller
            gives them back there, tokens.lua); then no token is pushed here.

Returns     the number of outcomes counted (fenced ones are not)
Redis       6.2+
]]
local now = now_ms()

local free = nil -- the tokens already in the list, read when the first token comes back

local tokens, done = {}, {}
local earliest = nil
local firehose = ARGV[7] == '1'
local events = {}
local outcome_keys = { retrying = KEYS[3], dead = KEYS[4], retention = ARGV[3], dead_retention = ARGV[4],
  max_throttled = tonumber(ARGV[8]), job_prefix = ARGV[2] }
for i = 9, #ARGV, 8 do
  local id, token, kind = ARGV[i], ARGV[i + 1], ARGV[i + 3]
  if token ~= '' and not free then
    free = {}
    for _, t in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
      free[t] = true
    end
  end
  if token ~= '' and not free[token] then
    free[token] = true
    tokens[#tokens + 1] = token
  end
  local key = ARGV[2] .. id
  local job = redis.call('HMGET', key, 'state', 'attempts', 'node', 'maxAttempts', 'cancelRequested', 'errorType',
    'watched', 'type', 'callback', 'batch', 'capped')
  if job[1] == 'running' and job[2] == ARGV[i + 2] and job[3] == ARGV[1] then
    done[#done + 1] = id
    local state, due = record_outcome(id, key, { attempts = tonumber(job[2]), max_attempts = tonumber(job[4]),
      cancel_requested = job[5], had_error = job[6], callback = job[9], batch = job[10], capped = job[11] or nil, type = job[8] }, kind, ARGV[i + 4], ARGV[i + 5], ARGV[i + 6],
      tonumber(ARGV[i + 7]), now, outcome_keys)
    if firehose or job[7] then
      events[#events + 1] = { id = id, state = state, type = job[8], attempt = tonumber(job[2]), at = now }
    end
    if due and (not earliest or due < earliest) then
      earliest = due
    end
  end
end

if #done > 0 then
  redis.call('ZREM', KEYS[2], unpack(done))
end
announce(ARGV[6], events, ARGV[5], KEYS[3], earliest)
if #tokens > 0 then
  redis.call('RPUSH', KEYS[1], unpack(tokens))
end
return #done
