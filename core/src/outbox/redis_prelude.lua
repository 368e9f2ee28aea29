-- Prepended to every outbox script. KEYS, in the order of redis.rs's KEYS.
local STREAM, ENTRIES, SHIPMENTS, DELAYED, PENDING, CREATED, DEAD, SUPERSEDED, SENT, SENT_BY, EPOCH =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11]
-- An entry is the fields `<id>/<name>` of ENTRIES: one key for them all,
-- so a script can declare every key it touches.
local FIELDS = {'appid', 'transid', 'out_trade_no', 'deliver_status', 'body', 'created_ms',
  'deadline_ms', 'state', 'attempts', 'last_error', 'done_ms', 'msg', 'lease_ms', 'shipment'}
local function named(id, names)
  for i = 1, #names do names[i] = id .. '/' .. names[i] end
  return names
end
local function get(id, name) return redis.call('HGET', ENTRIES, id .. '/' .. name) end
local function mget(id, ...) return redis.call('HMGET', ENTRIES, unpack(named(id, {...}))) end
local function unset(id, ...) return redis.call('HDEL', ENTRIES, unpack(named(id, {...}))) end
local function bump(id, name) return redis.call('HINCRBY', ENTRIES, id .. '/' .. name, 1) end
local function forget(id) return unset(id, unpack(FIELDS)) end
-- set(id, name, value, name, value, ...)
local function set(id, ...)
  local a = {...}
  for i = 1, #a, 2 do a[i] = id .. '/' .. a[i] end
  return redis.call('HSET', ENTRIES, unpack(a))
end
