import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { utf8 } from '../../encoding/utf8.js';
import { TAKE_HOLDER_PREFIX } from '../../storage/delivery-rule.js';

/** A Lua script, run by its SHA1 (EVALSHA); Redis is sent the source only when it lacks it. */
export interface Script {
  readonly source: string;
  readonly sha1: string;
}

const script = (source: string): Script => ({
  source,
  sha1: bytesToHex(sha1(utf8(source))),
});

// One step of a key, atomic: KEYS[1] the list of messages, KEYS[2] the hash of their leases,
// KEYS[3] the key's retirement ("<forward until, ms> <successor>", see RETIRE).
// ARGV: the most messages kept, the TTL in seconds, the channel, what to hand out, the lease's
// holder ('' for none), its length in ms, the number of acknowledged ids, those ids, then the
// messages to add. Returns the messages handed out and those trimmed away (to report them); for
// a retired key, nothing changed, and a third element: the successor while it forwards, else ''.
// Appends are published with the holder they are leased to ('' for none): by PUBLISH on a single
// server, by SPUBLISH on a cluster, where the channel (named as the list) is heard on its shard alone.
// A lease is "<holder> <until, in ms of Redis's clock>": every instance sees one clock.
// The step is the delivery rule, applyChange (storage/delivery-rule.ts), written again in Lua:
// acknowledgements, appends (leased), the trim past the most messages kept, then the hand-out.
// A take with a lease leases what it takes to the taker: RedisStore takes so, under a one-off
// holder (TAKE_HOLDER_PREFIX), and acknowledges what it received in a step of its own, so a take
// Redis runs after the store gave up on it removes nothing. Elements with no id, unreadable, are
// removed by a take.
// RPUSH takes the messages in chunks because Lua's unpack has a limit of a few thousand values.
const commitScript = (publish: 'PUBLISH' | 'SPUBLISH'): Script =>
  script(`
local list, leases = KEYS[1], KEYS[2]
local retired = redis.call('GET', KEYS[3])
if retired then
  local forwardUntil, successor = string.match(retired, '^(%d+) (.*)$')
  local time = redis.call('TIME')
  local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  if tonumber(forwardUntil) > nowMs then return { {}, {}, successor } end
  return { {}, {}, '' }
end
local holder, handOut = ARGV[5], ARGV[4]
local firstAdded = 8 + tonumber(ARGV[7])
local handsOut = handOut ~= 'none'
local now, lease = 0, ''
if holder ~= '' then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  lease = holder .. ' ' .. (now + tonumber(ARGV[6]))
end
-- An element is a one-message list of message-codec, [["<id>",…]]; ids need no JSON escapes.
local function idOf(message) return string.match(message, '^%[%["([^"]+)"') end

-- The list as this step leaves it, read once, when acknowledgements or a hand-out need it.
-- Removing a list's last element, or a hash's last field, deletes the key: nothing is left over.
local current = {}
if firstAdded > 8 or handsOut then current = redis.call('LRANGE', list, 0, -1) end
if firstAdded > 8 then
  local acked, kept = {}, {}
  for i = 8, firstAdded - 1 do acked[ARGV[i]] = true end
  for _, message in ipairs(current) do
    local id = idOf(message)
    if id and acked[id] then
      redis.call('LREM', list, 1, message)
      redis.call('HDEL', leases, id)
    else
      kept[#kept + 1] = message
    end
  end
  current = kept
end

local trimmed = {}
local held = {}
if #ARGV >= firstAdded then
  local length = 0
  for first = firstAdded, #ARGV, 1000 do
    length = redis.call('RPUSH', list, unpack(ARGV, first, math.min(first + 999, #ARGV)))
  end
  for i = firstAdded, #ARGV do
    current[#current + 1] = ARGV[i]
    local id = idOf(ARGV[i])
    if id and holder ~= '' then held[id] = lease end
  end
  -- What this step hands out gets its lease there, in one HSET; the rest gets it now.
  if holder ~= '' and not handsOut then
    for i = firstAdded, #ARGV do
      local id = idOf(ARGV[i])
      if id then redis.call('HSET', leases, id, lease) end
    end
    redis.call('EXPIRE', leases, ARGV[2])
  end
  local excess = length - tonumber(ARGV[1])
  if excess > 0 then
    trimmed = redis.call('LRANGE', list, 0, excess - 1)
    redis.call('LTRIM', list, excess, -1)
    for _, message in ipairs(trimmed) do
      local id = idOf(message)
      if id then redis.call('HDEL', leases, id) end
    end
    if handsOut then
      -- current was the whole list: keep what the trim kept.
      local rest = {}
      for i = #current - (length - excess) + 1, #current do rest[#rest + 1] = current[i] end
      current = rest
    end
  end
  redis.call('EXPIRE', list, ARGV[2])
  -- Messages handed out as they are added are on their way already: no news to watchers.
  if handOut == 'none' then redis.call('${publish}', ARGV[3], holder) end
end

local out = {}
if handsOut and #current > 0 then
  local fields = redis.call('HGETALL', leases)
  for i = 1, #fields, 2 do
    if held[fields[i]] == nil then held[fields[i]] = fields[i + 1] end
  end
  local renewed = {}
  for _, message in ipairs(current) do
    local id = idOf(message)
    if id then
      local by, untilMs = string.match(held[id] or '', '^(%S+) (%d+)$')
      local free = by == nil or tonumber(untilMs) <= now
      local taken = not free and string.sub(by, 1, ${TAKE_HOLDER_PREFIX.length}) == '${TAKE_HOLDER_PREFIX}'
      if by == holder or (handOut == 'all' and free) or (handOut == 'take' and not taken) then
        out[#out + 1] = message
        if lease ~= '' then
          renewed[#renewed + 1] = id
          renewed[#renewed + 1] = lease
        else
          -- A take without a lease removes what it hands out.
          redis.call('LREM', list, 1, message)
          redis.call('HDEL', leases, id)
        end
      end
    elseif handOut == 'take' then
      redis.call('LREM', list, 1, message)
    end
  end
  for first = 1, #renewed, 1000 do
    redis.call('HSET', leases, unpack(renewed, first, math.min(first + 999, #renewed)))
  end
  -- Leases last seconds: kept as long as the messages, they never outlive their use.
  if #renewed > 0 then redis.call('EXPIRE', leases, ARGV[2]) end
end
return { out, trimmed }
`);

/** The step of a key on a single Redis server: appends are published with PUBLISH. */
export const COMMIT = commitScript('PUBLISH');
/** The step of a key on a Redis Cluster: appends are published on the key's shard (SPUBLISH). */
export const COMMIT_SHARDED = commitScript('SPUBLISH');

/**
 * Retires a key (see MessageStore.retire): KEYS the list, its leases and its retirement; ARGV the
 * successor, how long the key stays retired and how long it forwards (ms). Returns the messages
 * it held, removed; nothing for a key retired already, whose first successor stays.
 */
// Watchers of the key hear ':retired' (KEY_RETIRED) on its channel, the list's name.
const retireScript = (publish: 'PUBLISH' | 'SPUBLISH'): Script =>
  script(`
if redis.call('EXISTS', KEYS[3]) == 1 then return {} end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local messages = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('SET', KEYS[3], (now + tonumber(ARGV[3])) .. ' ' .. ARGV[1], 'PX', ARGV[2])
redis.call('${publish}', KEYS[1], ':retired')
return messages
`);

/** Retires a key on a single Redis server. */
export const RETIRE = retireScript('PUBLISH');
/** Retires a key on a Redis Cluster: its watchers hear of it on its shard (SPUBLISH). */
export const RETIRE_SHARDED = retireScript('SPUBLISH');

/**
 * Records a one-time token as used (see MessageStore.markUsed): KEYS its record; ARGV until when
 * (ms since the epoch). Returns 1 the first time, 0 after.
 */
export const MARK_USED = script(`
if redis.call('SET', KEYS[1], '1', 'PXAT', ARGV[1], 'NX') then return 1 end
return 0
`);
