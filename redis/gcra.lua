-- ratelimit's GCRA (see ratelimit.gcra), in microseconds of Redis's clock.
-- KEYS[1]: the key. ARGV: the period in microseconds, the limit, 1 to
-- count an event or 0 to peek. Returns {allowed (1 or 0), remaining,
-- retry after, reset after}, the times in microseconds.
local period = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local count = tonumber(ARGV[3])
local interval = period / limit

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then
  tat = now
end
local new_tat = tat + interval
local diff = now - (new_tat - period)
if diff < 0 then
  return {0, 0, math.ceil(-diff), math.ceil(tat - now)}
end
if count == 1 then
  redis.call('SET', KEYS[1], string.format('%d', math.ceil(new_tat)), 'PX', math.ceil((new_tat - now) / 1000))
end
return {1, math.floor(diff / interval), 0, math.ceil(new_tat - now)}
