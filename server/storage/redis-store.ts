import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { StoredMessage } from '../../shared/message.js';
import { DropListeners } from './drop-listeners.js';
import { decodeMessages, encodeMessages } from './message-codec.js';
import {
  assertLeaseFor,
  type DropEvent,
  type MessageStore,
  type StoreChange,
} from './message-store.js';
import { positiveInteger } from './positive-integer.js';
import { utf8 } from './utf8.js';

/**
 * The part of an ioredis client (`Redis` or `Cluster`) a Redis store uses. Typed here, not
 * imported, so the library needs ioredis only in the apps that pass a client.
 */
export interface RedisStoreClient {
  evalsha(sha1: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
  lrange(key: string, start: number, stop: number): Promise<string[]>;
  /** A new connection with the same options: the store's subscriber. */
  duplicate(): RedisSubscriberClient;
}

/** The part of an ioredis connection a Redis store's subscriber uses. */
export interface RedisSubscriberClient {
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** Settings of a Redis store. */
export interface RedisStoreOptions {
  /** The app's ioredis client (`Redis` or `Cluster`); the store never closes it. */
  readonly client: RedisStoreClient;
  /** Put before every Redis key and channel of the store. Default 'trpc-messages:'. */
  readonly prefix?: string;
  /** How long a key's messages live after its last append, in seconds. Default 1 day. */
  readonly ttlSeconds?: number;
  /** The most messages held per key; the oldest go first. Default 50. */
  readonly maxMessagesPerKey?: number;
  /** How long a command may wait for Redis before it fails, in ms. Default 2000. */
  readonly commandTimeoutMs?: number;
  /**
   * Called with the messages an append pushed past `maxMessagesPerKey` (reason 'overflow').
   * Messages that expire are not reported: Redis deletes them on its own. The tRPC kit reports
   * drops on its own; a store used without it and without `onDrop` warns outside production.
   */
  readonly onDrop?: (event: DropEvent) => void;
}

/** A Lua script, run by its SHA1 (EVALSHA); Redis is sent the source only when it lacks it. */
interface Script {
  readonly source: string;
  readonly sha1: string;
}

const script = (source: string): Script => ({
  source,
  sha1: bytesToHex(sha1(utf8(source))),
});

// One step of a key, atomic: KEYS[1] the list of messages, KEYS[2] the hash of their leases.
// ARGV: the most messages kept, the TTL in seconds, the channel, what to hand out, the lease's
// holder ('' for none), its length in ms, the number of acknowledged ids, those ids, then the
// messages to add. Returns the messages handed out and those trimmed away (to report them).
// Appends are published with the holder they are leased to ('' for none).
// A lease is "<holder> <until, in ms of Redis's clock>": every instance sees one clock.
// RPUSH takes the messages in chunks because Lua's unpack has a limit of a few thousand values.
const COMMIT = script(`
local list, leases = KEYS[1], KEYS[2]
local holder, handOut = ARGV[5], ARGV[4]
local firstAdded = 8 + tonumber(ARGV[7])
local handsOut = handOut == 'own' or handOut == 'all'
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
  if handOut == 'none' then redis.call('PUBLISH', ARGV[3], holder) end
end

local out = {}
if handOut == 'take' then
  out = redis.call('LRANGE', list, 0, -1)
  if #out > 0 then redis.call('DEL', list, leases) end
elseif handsOut and #current > 0 then
  local fields = redis.call('HGETALL', leases)
  for i = 1, #fields, 2 do
    if held[fields[i]] == nil then held[fields[i]] = fields[i + 1] end
  end
  local renewed = {}
  for _, message in ipairs(current) do
    local id = idOf(message)
    if id then
      local by, untilMs = string.match(held[id] or '', '^(%S+) (%d+)$')
      if by == holder or (handOut == 'all' and (by == nil or tonumber(untilMs) <= now)) then
        out[#out + 1] = message
        renewed[#renewed + 1] = id
        renewed[#renewed + 1] = lease
      end
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

/**
 * Messages in Redis, shared by every instance of the app; each operation is one atomic round
 * trip (a Lua script, or LRANGE for a peek), and appends of free messages are published so that
 * a watch on any instance hears them.
 *
 * Layout: each key's messages are one Redis list, `${prefix}{${key}}`, oldest first, one
 * message per element in the compact JSON of message-codec; their leases are a hash beside it,
 * `${prefix}{${key}}:leases`, message id to "<holder> <until ms>". Both expire `ttlSeconds` after
 * the key's last append. Appends are published on a channel named as the list. The key sits in a
 * hash tag (the braces) so that all a key owns stays in one Redis Cluster slot.
 */
export class RedisStore implements MessageStore {
  readonly #client: RedisStoreClient;
  readonly #prefix: string;
  readonly #ttlSeconds: number;
  readonly #maxMessagesPerKey: number;
  readonly #commandTimeoutMs: number;
  readonly #drops: DropListeners;
  /** Listeners by channel; each registration is its own function, so one can be added twice. */
  readonly #listeners = new Map<string, Set<(heldBy: string | undefined) => void>>();
  /** Channels left unwatched while Redis was away, to unsubscribe once it is back. */
  readonly #stale = new Set<string>();
  #subscriber: RedisSubscriberClient | undefined;
  #resubscribeWhenReady = false;

  constructor(options: RedisStoreOptions) {
    this.#client = options.client;
    this.#prefix = options.prefix ?? 'trpc-messages:';
    if (/[{}]/.test(this.#prefix)) {
      // Redis Cluster would hash the prefix's braces instead of the key's.
      throw new RangeError(`trpc-messages: prefix must not contain { or }, got '${this.#prefix}'`);
    }
    this.#ttlSeconds = positiveInteger(options.ttlSeconds ?? 86_400, 'ttlSeconds');
    this.#maxMessagesPerKey = positiveInteger(options.maxMessagesPerKey ?? 50, 'maxMessagesPerKey');
    this.#commandTimeoutMs = positiveInteger(options.commandTimeoutMs ?? 2000, 'commandTimeoutMs');
    this.#drops = new DropListeners(options.onDrop);
  }

  async peek(key: string): Promise<StoredMessage[]> {
    return decodeList(await this.#timed(() => this.#client.lrange(this.#redisKey(key), 0, -1)));
  }

  async commit(key: string, change: StoreChange): Promise<StoredMessage[]> {
    assertLeaseFor(change);
    const { added = [], acked = [], lease, handOut = 'none' } = change;
    // Nothing to change and nothing to hand out: no round trip.
    if (added.length === 0 && acked.length === 0 && handOut === 'none') return [];
    const list = this.#redisKey(key);
    const args: (string | number)[] = [
      this.#maxMessagesPerKey,
      this.#ttlSeconds,
      list,
      handOut,
      lease?.holder ?? '',
      lease?.ms ?? 0,
      acked.length,
      ...acked,
    ];
    for (const message of added) args.push(encodeMessages([message]));
    const reply = await this.#timed(() => this.#run(COMMIT, [list, `${list}:leases`], args));
    const [handedOut, trimmed] = Array.isArray(reply) ? reply : [];
    this.#drops.emit({ key, messages: decodeList(trimmed), reason: 'overflow' });
    return decodeList(handedOut);
  }

  watchDrops(listener: (event: DropEvent) => void): () => void {
    return this.#drops.watch(listener);
  }

  /**
   * Also calls `listener` (with no holder) once the subscription is live, and again after the
   * subscriber reconnects: an append made before either may have gone unheard. A listener that throws is
   * reported as an uncaught exception, like any event listener's, without disturbing the others.
   */
  watch(key: string, listener: (heldBy: string | undefined) => void): () => void {
    const channel = this.#redisKey(key);
    let listeners = this.#listeners.get(channel);
    if (listeners === undefined) {
      listeners = new Set();
      this.#listeners.set(channel, listeners);
      this.#stale.delete(channel);
      this.#subscribe([channel]);
    }
    const registration = (heldBy: string | undefined) => listener(heldBy);
    listeners.add(registration);
    const watched = listeners;
    return () => {
      if (!watched.delete(registration) || watched.size > 0) return;
      if (this.#listeners.get(channel) !== watched) return;
      this.#listeners.delete(channel);
      this.#unsubscribe([channel]);
    };
  }

  /** Stops every watch and closes the store's subscriber connection (not the app's client). */
  async close(): Promise<void> {
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    this.#listeners.clear();
    this.#stale.clear();
    this.#resubscribeWhenReady = false;
    if (subscriber === undefined) return;
    try {
      await this.#timed(() => subscriber.quit());
    } catch {
      subscriber.disconnect();
    }
  }

  #redisKey(key: string): string {
    return `${this.#prefix}{${key}}`;
  }

  /** Runs a script on `keys` by its SHA1, sending its source only if Redis lacks it. */
  async #run(
    script: Script,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await this.#client.evalsha(script.sha1, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return this.#client.eval(script.source, keys.length, ...keys, ...args);
    }
  }

  /** What `send` resolves to, or a rejection once Redis has kept us waiting too long. */
  #timed<T>(send: () => Promise<T>): Promise<T> {
    const ms = this.#commandTimeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new Error(
            `trpc-messages: Redis did not answer within ${ms}ms; check that it is up and reachable, or raise commandTimeoutMs`,
          ),
        );
      }, ms);
    });
    // The race handles a reply that comes after the timeout, even a rejection; an async
    // wrapper turns a synchronous throw of the client into a rejection.
    return Promise.race([(async () => send())(), timeout]).finally(() => clearTimeout(timer));
  }

  /** The subscriber connection, opened on the first watch. */
  #connectedSubscriber(): RedisSubscriberClient {
    if (this.#subscriber) return this.#subscriber;
    const subscriber = this.#client.duplicate();
    this.#subscriber = subscriber;
    // The app's own client reports the same connection errors; here they only mean a retry.
    subscriber.on('error', () => {});
    subscriber.on('message', (channel, heldBy) => this.#notify([channel], heldBy || undefined));
    subscriber.on('ready', () => {
      if (this.#subscriber !== subscriber) return;
      // After a reconnect (or a failed subscribe) subscribe anew: ioredis resubscribes what it
      // knew, but this tells when it is done, so the listeners look for what they missed.
      if (this.#resubscribeWhenReady) this.#subscribe([...this.#listeners.keys()]);
      this.#resubscribeWhenReady = true;
      const stale = [...this.#stale].filter((channel) => !this.#listeners.has(channel));
      this.#stale.clear();
      this.#unsubscribe(stale);
    });
    return subscriber;
  }

  #subscribe(channels: readonly string[]): void {
    if (channels.length === 0) return;
    const subscriber = this.#connectedSubscriber();
    subscriber.subscribe(...channels).then(
      () => {
        if (this.#subscriber === subscriber) this.#notify(channels);
      },
      () => {
        if (this.#subscriber === subscriber) this.#resubscribeWhenReady = true;
      },
    );
  }

  #unsubscribe(channels: readonly string[]): void {
    const subscriber = this.#subscriber;
    if (subscriber === undefined || channels.length === 0) return;
    subscriber.unsubscribe(...channels).catch(() => {
      if (this.#subscriber === subscriber) for (const channel of channels) this.#stale.add(channel);
    });
  }

  #notify(channels: readonly string[], heldBy?: string): void {
    for (const channel of channels) {
      for (const listener of [...(this.#listeners.get(channel) ?? [])]) {
        try {
          listener(heldBy);
        } catch (error) {
          // Thrown later, not into ioredis's reply parser.
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    }
  }
}

/** The messages of a list reply; elements that do not decode are skipped. */
function decodeList(reply: unknown): StoredMessage[] {
  if (!Array.isArray(reply)) return [];
  return reply.flatMap((element) =>
    typeof element === 'string' ? (decodeMessages(element)?.messages ?? []) : [],
  );
}
