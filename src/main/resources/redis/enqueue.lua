--[[
enqueue: store new jobs and put each in its priority list, or in the scheduled set when it is
scheduled for later; all of them or none. Before writing anything it checks, atomically:
  - idempotency: when a key is given and already stored, nothing is written and the stored value
    (owner id and request fingerprint) is returned, so concurrent duplicates enqueue once;
  - capacity: when the new jobs would push the waiting total (queued in the three lists, scheduled
    and retrying) over its limit, or a priority's list over its own, nothing is written and the limit
    that was hit is returned. Scheduled and retrying jobs count against the total because they will
    be queued without asking; a per-priority limit bounds the list alone.

KEYS[1..3]  queue lists: high, normal, low
KEYS[4]     scheduled zset (job id -> due time, ms)
KEYS[5]     idempotency key (a string with an expiry); a never-written placeholder when none
KEYS[6]     batch hash; KEYS[7] batch member list (placeholders when the jobs form no batch)
KEYS[8]     retrying zset (the key {ns}:delayed)
KEYS[9]     a client record created with the jobs (an order), KEYS[10] the index set it joins, KEYS[11]
            its list for a first entry (placeholders when there is none)
KEYS[12..]  one job hash per job, in the order of the ARGV groups
ARGV[1]     wake channel: published to when a list goes from empty to non-empty, or when a scheduled
            job becomes the earliest delayed one, so idle dispatchers start on time
ARGV[2]     capacity of all three lists together; ARGV[3..5] of high, normal, low (0: no limit)
ARGV[6]     idempotency value to store, "<owner id>|<fingerprint>"; empty when no key
ARGV[7]     idempotency retention, ms
ARGV[8]     batch id; empty when none
ARGV[9]     batch record retention, ms
ARGV[10]    events channel; ARGV[11] '1' when some node streams every event (new jobs are announced
            only then: nobody can be watching a job that does not exist yet)
ARGV[12]    the record to create with the jobs, as JSON {id, retention (ms), fields: [name, value, ...],
            entry}; empty for none. It is written only when the jobs are: never one without the other.
ARGV[13]    the batch's callback (JSON as for a job, fired once when every member has ended), or empty
ARGV[14]    the submitting request's trace context (a W3C traceparent) when it is sampled, else empty
ARGV[15..]  eleven values per job: id, priority (high|normal|low), type, payload JSON, maxAttempts,
            timeout (ms), delay (ms from now, by Redis time; 0 = at once; or '@<epoch ms>', a due time
            compared with Redis time, so that a runAt means the same on every node), owner (API key name; may be
            empty), lane (the type's name when it is a remote type, else empty), callback (JSON read by
            on_final in the prelude when the job ends; empty for none), key (its tenant, customer or
            resource: fair share within its priority, see push_job; empty for none). A batch takes the owner of its
            first job. A remote type's job waits in its type's own lane list (queue_of in the prelude), and
            its type must be registered ({ns}:job-type:<type> exists) when it is enqueued: a type deleted
            meanwhile refuses the whole call.

Returns     { 'ok', createdAt (Redis time, ms) }
            { 'duplicate', stored idempotency value }
            { 'full', 'total'|'high'|'normal'|'low', current depth, capacity }
            { 'unknown-type', type } when a remote type is not (or no longer) registered
Redis       6.2+ (no 7.x-only commands)
]]
if ARGV[6] ~= '' then
  local stored = redis.call('GET', KEYS[5])
  if stored then
    return { 'duplicate', stored }
  end
end

local now = now_ms()
local lists = { high = KEYS[1], normal = KEYS[2], low = KEYS[3] }
local limits = { high = tonumber(ARGV[3]), normal = tonumber(ARGV[4]), low = tonumber(ARGV[5]) }
local total_limit = tonumber(ARGV[2])

local adding = { high = 0, normal = 0, low = 0 }
local jobs = #KEYS - 11
local lanes = {}
for i = 0, jobs - 1 do
  local priority = ARGV[15 + i * 11 + 1]
  adding[priority] = adding[priority] + 1
  local lane = ARGV[15 + i * 11 + 8]
  if lane ~= '' and not lanes[lane] then
    local prefix = string.sub(KEYS[12 + i], 1, #KEYS[12 + i] - #ARGV[15 + i * 11])
    if redis.call('EXISTS', ns_of(prefix) .. 'job-type:' .. lane) == 0 then
      return { 'unknown-type', lane }
    end
    lanes[lane] = prefix
  end
end
if total_limit > 0 or limits.high > 0 or limits.normal > 0 or limits.low > 0 then
  local depth, total = {}, 0
  for priority, list in pairs(lists) do
    depth[priority] = waiting_in(list)
    total = total + depth[priority]
  end
  if total_limit > 0 then
    total = total + redis.call('ZCARD', KEYS[4]) + redis.call('ZCARD', KEYS[8])
    for lane, prefix in pairs(lanes) do
      for priority, _ in pairs(lists) do
        total = total + waiting_in(queue_of(lists, prefix, priority, lane))
      end
    end
  end
  if total_limit > 0 and total + jobs > total_limit then
    return { 'full', 'total', total, total_limit }
  end
  for _, priority in ipairs({ 'high', 'normal', 'low' }) do
    if limits[priority] > 0 and depth[priority] + adding[priority] > limits[priority] then
      return { 'full', priority, depth[priority], limits[priority] }
    end
  end
end

if ARGV[6] ~= '' then
  redis.call('SET', KEYS[5], ARGV[6], 'PX', ARGV[7])
end

if ARGV[12] ~= '' then
  local record = cjson.decode(ARGV[12])
  redis.call('HSET', KEYS[9], unpack(record.fields))
  redis.call('PEXPIRE', KEYS[9], record.retention)
  redis.call('SADD', KEYS[10], record.id)
  redis.call('PEXPIRE', KEYS[10], record.retention)
  if record.entry and record.entry ~= '' then
    redis.call('RPUSH', KEYS[11], record.entry)
    redis.call('PEXPIRE', KEYS[11], record.retention)
  end
end

local pushes = {}
local keyed = {}
local members = {}
local events = {}
local earliest = nil
for i = 0, jobs - 1 do
  local a = 15 + i * 11
  local id, priority, when, lane, job_key = ARGV[a], ARGV[a + 1], ARGV[a + 6], ARGV[a + 8], ARGV[a + 10]
  if job_key ~= '' then
    redis.call('HSET', KEYS[12 + i], 'key', job_key)
  end
  if ARGV[a + 9] ~= '' then
    redis.call('HSET', KEYS[12 + i], 'callback', ARGV[a + 9])
  end
  local due = string.sub(when, 1, 1) == '@' and tonumber(string.sub(when, 2)) or now + tonumber(when)
  local key = KEYS[12 + i]
  redis.call('HSET', key,
    'type', ARGV[a + 2], 'priority', priority, 'state', 'queued', 'payload', ARGV[a + 3],
    'attempts', 0, 'maxAttempts', ARGV[a + 4], 'timeoutMs', ARGV[a + 5], 'createdAt', now)
  if ARGV[8] ~= '' then
    redis.call('HSET', key, 'batch', ARGV[8])
    members[#members + 1] = id
  end
  if ARGV[a + 7] ~= '' then
    redis.call('HSET', key, 'owner', ARGV[a + 7])
  end
  if ARGV[14] ~= '' then
    redis.call('HSET', key, 'traceparent', ARGV[14])
  end
  if lane ~= '' then
    redis.call('HSET', key, 'lane', lane)
  end
  if ARGV[11] == '1' then
    events[#events + 1] = { id = id, state = due > now and 'scheduled' or 'queued', type = ARGV[a + 2], at = now }
  end
  if due > now then
    redis.call('HSET', key, 'state', 'scheduled', 'runAt', due)
    redis.call('ZADD', KEYS[4], due, id)
    if not earliest or due < earliest then
      earliest = due
    end
  else
    local list = queue_of(lists, string.sub(key, 1, #key - #id), priority, lane)
    if job_key ~= '' then
      keyed[#keyed + 1] = { list, job_key, id }
    else
      local ids = pushes[list] or {}
      pushes[list] = ids
      ids[#ids + 1] = id
    end
  end
end

-- pushed in chunks: unpack() of thousands of values would overflow Lua's stack
local woke = false
for list, ids in pairs(pushes) do
  for from = 1, #ids, 1000 do
    local to = math.min(from + 999, #ids)
    if redis.call('RPUSH', list, unpack(ids, from, to)) == to - from + 1 then
      woke = true
      if redis.call('LLEN', list .. '#') > 0 then
        redis.call('RPUSH', list .. '#', '') -- keyless jobs take their turn among the keys (push_job)
      end
    end
  end
end
for _, job in ipairs(keyed) do
  if push_job(job[1], job[2], job[3], false) then
    woke = true
  end
end
if earliest then
  local head = redis.call('ZRANGE', KEYS[4], 0, 0, 'WITHSCORES')
  if tonumber(head[2]) >= earliest then
    woke = true
  end
end
if ARGV[8] ~= '' then
  redis.call('HSET', KEYS[6], 'total', #members, 'createdAt', now, 'owner', ARGV[15 + 7])
  if ARGV[13] ~= '' then
    redis.call('HSET', KEYS[6], 'callback', ARGV[13], 'pending', #members)
  end
  for from = 1, #members, 1000 do
    redis.call('RPUSH', KEYS[7], unpack(members, from, math.min(from + 999, #members)))
  end
  redis.call('PEXPIRE', KEYS[6], ARGV[9])
  redis.call('PEXPIRE', KEYS[7], ARGV[9])
end
if woke then
  redis.call(PUBLISH, ARGV[1], 'enqueued')
end
if #events > 0 then
  redis.call(PUBLISH, ARGV[10], cjson.encode(events))
end
return { 'ok', now }
