--[[
prelude: shared by every script, prepended to each when the scripts are loaded (LuaScripts), so one
rule is written once. Defines functions only; touches no key.
]]

-- Redis server time in ms: the one clock every node agrees on.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- What a failed attempt leads to: another try while attempts remain; else the end of the job, 'dead'
-- (into the dead letters) when it had several attempts, 'failed' when it had one.
local function after_failure(attempts, max_attempts)
  if attempts < max_attempts then
    return 'retrying'
  end
  return max_attempts > 1 and 'dead' or 'failed'
end
