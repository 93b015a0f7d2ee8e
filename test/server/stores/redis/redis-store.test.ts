import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Cluster, Redis } from 'ioredis';
import { createClient, type RedisClientType, type RedisClusterType } from 'redis';
import { afterAll, afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import type { DropEvent } from '../../../../server/stores/memory/memory-store.js';
import { RedisOutageError } from '../../../../server/stores/redis/redis-outage.js';
import {
  RedisStore,
  type RedisStoreClient,
  type RedisStoreOptions,
} from '../../../../server/stores/redis/redis-store.js';
import { INFO, SUCCESS } from '../../../../shared/levels.js';
import type { StoredMessage } from '../../../../shared/message.js';
import { startRedisServer } from '../../../fixtures/redis-server.js';
import { failOnUnhandledRejections } from '../../../fixtures/unhandled-rejections.js';

failOnUnhandledRejections();

// A redis-server of this file's own: the machine's shared Redis is never touched.
const server = await startRedisServer();
afterAll(() => server?.stop());

const clients: Redis[] = [];
/** A client of the test server: one per app instance. Few retries, so a dead server fails fast. */
function connect(): Redis {
  if (!server) throw new Error('no redis-server');
  const client = new Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: 1 });
  // Connection errors are expected in the fault tests; the assertions are on the store.
  client.on('error', () => {});
  clients.push(client);
  return client;
}

const stores: RedisStore[] = [];
/**
 * A store over `client` (default: the shared app client), closed after the test. The outages
 * the fault tests cause are reported to a listener that drops them: the tests of those reports
 * watch stores of their own.
 */
function storeOf(options: Partial<RedisStoreOptions> = {}): RedisStore {
  const store = new RedisStore({ client: app(), ...options });
  store.watchErrors(() => {});
  stores.push(store);
  return store;
}

let appClient: Redis | undefined;
let adminClient: Redis | undefined;
/** The client stores use unless told otherwise. */
const app = () => {
  appClient ??= connect();
  return appClient;
};
/** A client for looking at Redis behind the store's back. */
const admin = () => {
  adminClient ??= connect();
  return adminClient;
};

// Closed after each test: each store listens to its client's errors until then.
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});
afterAll(() => {
  for (const client of clients) client.disconnect();
});

let nextId = 0;
/** Stored messages with fresh ids, the given texts. */
const make = (...texts: string[]): StoredMessage[] =>
  texts.map((message) => ({ id: `m${++nextId}`, level: INFO, message, extraTags: '' }));

const texts = (messages: readonly StoredMessage[]) => messages.map((m) => m.message);

let nextKey = 0;
/** A key no other test uses. */
const freshKey = () => `key${++nextKey}`;

/** Resolves once `condition` holds; fails after `ms` (long: a loaded machine is slow, not wrong). */
async function until(condition: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms}ms`);
    await sleep(10);
  }
}

/** Every key in the test server. */
async function allKeys(): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await admin().scan(cursor, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

/** A listener that counts its calls. */
function counter() {
  const counted = { calls: 0, listener: () => void counted.calls++ };
  return counted;
}

let nextMarker = 0;
/**
 * The commands `client` sent to Redis while `run` ran, lower-cased, as MONITOR saw them: one
 * per round trip for a store (what a script runs inside is not counted).
 */
async function commandsSent(client: Redis, run: () => Promise<unknown>): Promise<string[][]> {
  const address = /\baddr=(\S+)/.exec(String(await client.call('CLIENT', 'INFO')))?.[1];
  const monitor = await admin().monitor();
  const seen: { source: string; args: string[] }[] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    seen.push({ source, args });
  });
  try {
    await run();
    // MONITOR reports commands in the order Redis ran them: once the marker shows, all is in.
    const marker = `marker-${++nextMarker}`;
    await admin().echo(marker);
    await until(() => seen.some(({ args }) => args[1] === marker));
  } finally {
    monitor.disconnect();
  }
  return seen
    .filter(({ source }) => source === address)
    .map(({ args: [name = '', ...rest] }) => [name.toLowerCase(), ...rest]);
}

describe.skipIf(!server)('RedisStore reads and writes', () => {
  beforeEach(async () => {
    await admin().flushall();
  });

  it('peeks at messages without removing them', async () => {
    const store = storeOf();
    await store.commit('a', { added: make('one', 'two') });
    expect(texts(await store.peek('a'))).toEqual(['one', 'two']);
    expect(texts(await store.peek('a'))).toEqual(['one', 'two']);
  });

  it('takes messages away: a second take finds none, and the key is gone', async () => {
    const store = storeOf();
    await store.commit('a', { added: make('one', 'two') });
    expect(texts(await store.commit('a', { handOut: 'take' }))).toEqual(['one', 'two']);
    expect(await store.commit('a', { handOut: 'take' })).toEqual([]);
    expect(await store.peek('a')).toEqual([]);
    expect(await allKeys()).toEqual([]);
  });

  it('keeps appended messages in order, after those already held', async () => {
    const store = storeOf();
    await store.commit('a', { added: make('one') });
    await store.commit('a', { added: make('two', 'three') });
    await store.commit('a', { added: make('four') });
    expect(texts(await store.commit('a', { handOut: 'take' }))).toEqual([
      'one',
      'two',
      'three',
      'four',
    ]);
  });

  it('keeps the messages of different keys apart', async () => {
    const store = storeOf();
    await store.commit('a', { added: make('for a') });
    await store.commit('b', { added: make('for b') });
    expect(texts(await store.commit('a', { handOut: 'take' }))).toEqual(['for a']);
    expect(texts(await store.commit('b', { handOut: 'take' }))).toEqual(['for b']);
  });

  it('gives back every field of a message as it was stored, its key, translation and action too', async () => {
    const store = storeOf();
    const messages: StoredMessage[] = [
      { id: 'x1', level: SUCCESS, message: 'Saved: "a", \\b; ü 🎉', extraTags: 'sticky wide' },
      { id: 'x2', level: 99, message: '', extraTags: '' },
      {
        id: 'x3',
        level: INFO,
        message: '',
        extraTags: '',
        key: 'export',
        translation: { key: 'export.progress', params: { percent: 40 } },
        action: {
          label: 'Cancel',
          path: 'exports.cancel',
          input: { id: 7 },
          expiresAt: 0,
          token: 't',
        },
      },
    ];
    await store.commit('a', { added: messages });
    expect(await store.peek('a')).toEqual(messages);
    expect(await store.commit('a', { handOut: 'take' })).toEqual(messages);
  });

  it('reads an unknown key as empty without creating it', async () => {
    const store = storeOf();
    expect(await store.peek('nobody')).toEqual([]);
    expect(await store.commit('nobody', { handOut: 'take' })).toEqual([]);
    expect(await allKeys()).toEqual([]);
  });

  it('neither creates a key nor calls Redis for an empty append', async () => {
    const store = storeOf();
    expect(await commandsSent(app(), () => store.commit('a', { added: [] }))).toEqual([]);
    expect(await allKeys()).toEqual([]);
  });

  it('is not changed by a caller mutating the arrays it passed in or got back', async () => {
    const store = storeOf();
    const appended = make('one');
    await store.commit('a', { added: appended });
    appended.push(...make('intruder'));
    const peeked = await store.peek('a');
    peeked.length = 0;
    expect(texts(await store.peek('a'))).toEqual(['one']);
  });

  it('skips list elements that do not decode, on peek and on take', async () => {
    const store = storeOf();
    await store.commit('a', { added: make('before') });
    await admin().rpush('trpc-messages:{a}', 'not json', '{"id":"x"}', '[["", 20, "no id"]]');
    await store.commit('a', { added: make('after') });
    expect(texts(await store.peek('a'))).toEqual(['before', 'after']);
    expect(texts(await store.commit('a', { handOut: 'take' }))).toEqual(['before', 'after']);
    expect(await allKeys()).toEqual([]);
  });

  it('rejects, without throwing, when Redis refuses a command', async () => {
    const store = storeOf();
    await admin().set('trpc-messages:{a}', 'a string, not a list');
    const appended = store.commit('a', { added: make('one') });
    await expect(appended).rejects.toThrow('WRONGTYPE');
    await expect(store.peek('a')).rejects.toThrow('WRONGTYPE');
    await expect(store.commit('a', { handOut: 'take' })).rejects.toThrow('WRONGTYPE');
  });

  it('turns a client that throws synchronously into a rejection', async () => {
    const broken: RedisStoreClient = {
      evalsha: () => {
        throw new Error('broken client');
      },
      eval: () => {
        throw new Error('broken client');
      },
      lrange: () => {
        throw new Error('broken client');
      },
      duplicate: () => {
        throw new Error('broken client');
      },
      on: () => undefined,
      off: () => undefined,
    };
    const store = new RedisStore({ client: broken });
    await expect(store.commit('a', { handOut: 'take' })).rejects.toThrow('broken client');
    await expect(store.peek('a')).rejects.toThrow('broken client');
    await expect(store.commit('a', { added: make('one') })).rejects.toThrow('broken client');
  });

  it('accepts an ioredis Redis or Cluster client, or a node-redis client or cluster client, as it is typed', () => {
    expectTypeOf<Redis>().toExtend<RedisStoreClient>();
    expectTypeOf<Cluster>().toExtend<RedisStoreClient>();
    expectTypeOf<RedisClientType>().toExtend<RedisStoreClient>();
    expectTypeOf<ReturnType<typeof createClient>>().toExtend<RedisStoreClient>();
    expectTypeOf<RedisClusterType>().toExtend<RedisStoreClient>();
  });
});

describe.skipIf(!server)('RedisStore key layout', () => {
  beforeEach(async () => {
    await admin().flushall();
  });

  it('keeps a key as one list, prefix:{key}, one compact JSON message per element', async () => {
    const store = storeOf();
    await store.commit('session-1', {
      added: [
        { id: 'a1', level: INFO, message: 'one', extraTags: '' },
        { id: 'a2', level: SUCCESS, message: 'two', extraTags: 'x' },
      ],
    });
    expect(await allKeys()).toEqual(['trpc-messages:{session-1}']);
    expect(await admin().type('trpc-messages:{session-1}')).toBe('list');
    expect(await admin().lrange('trpc-messages:{session-1}', 0, -1)).toEqual([
      '[["a1",20,"one"]]',
      '[["a2",25,"two","x"]]',
    ]);
  });

  it.each(['session-1', 'user:42', 'Zx_9-AbCdEfGhIjKlMnOpQ'])(
    "puts the key %s in the Redis key's hash tag, so a Cluster hashes only the key",
    async (key) => {
      const store = storeOf();
      await store.commit(key, { added: make('one') });
      const [redisKey = ''] = await allKeys();
      // Redis Cluster hashes what lies between the first '{' and the next '}'.
      const open = redisKey.indexOf('{');
      const hashTag = redisKey.slice(open + 1, redisKey.indexOf('}', open));
      expect(hashTag).toBe(key);
      expect(redisKey).toBe(`trpc-messages:{${key}}`);
    },
  );

  it('puts a custom prefix before the hash tag', async () => {
    const store = storeOf({ prefix: 'app:flash:' });
    await store.commit('a', { added: make('one') });
    expect(await allKeys()).toEqual(['app:flash:{a}']);
    expect(texts(await store.commit('a', { handOut: 'take' }))).toEqual(['one']);
    expect(texts(await storeOf().peek('a'))).toEqual([]);
  });

  it('rejects a prefix with braces, which would move the hash tag', () => {
    expect(() => storeOf({ prefix: 'app{1}:' })).toThrow(RangeError);
    expect(() => storeOf({ prefix: 'app{1}:' })).toThrow('prefix');
  });

  it.each(['ttlSeconds', 'maxMessagesPerKey', 'commandTimeoutMs', 'takeLeaseMs'] as const)(
    'rejects a %s that is not a positive integer, naming it',
    (option) => {
      for (const value of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => storeOf({ [option]: value })).toThrow(RangeError);
        expect(() => storeOf({ [option]: value })).toThrow(option);
      }
    },
  );
});

describe.skipIf(!server)('RedisStore bounds', () => {
  /** A store that records what it dropped. */
  function recordingStore(options: Partial<RedisStoreOptions> = {}) {
    const drops: DropEvent[] = [];
    const store = storeOf({ ...options, onDrop: (event) => drops.push(event) });
    return { store, drops };
  }

  it('sets the time to live on append: the messages are gone ttlSeconds later', async () => {
    const store = storeOf({ ttlSeconds: 1 });
    const key = freshKey();
    await store.commit(key, { added: make('soon gone') });
    expect(await admin().pttl(`trpc-messages:{${key}}`)).toBeGreaterThan(900);
    await sleep(1100);
    expect(await store.peek(key)).toEqual([]);
    expect(await admin().exists(`trpc-messages:{${key}}`)).toBe(0);
  });

  it('restarts the time to live on an append, but not on a peek', async () => {
    const store = storeOf({ ttlSeconds: 100 });
    const appended = freshKey();
    const peeked = freshKey();
    await store.commit(appended, { added: make('1') });
    await store.commit(peeked, { added: make('1') });
    await admin().pexpire(`trpc-messages:{${appended}}`, 5000);
    await admin().pexpire(`trpc-messages:{${peeked}}`, 5000);
    await store.commit(appended, { added: make('2') });
    await store.peek(peeked);
    expect(await admin().pttl(`trpc-messages:{${appended}}`)).toBeGreaterThan(99_000);
    expect(await admin().pttl(`trpc-messages:{${peeked}}`)).toBeLessThanOrEqual(5000);
    expect(texts(await store.peek(appended))).toEqual(['1', '2']);
  });

  it('drops the oldest messages of a key past maxMessagesPerKey, reporting an overflow', async () => {
    const { store, drops } = recordingStore({ maxMessagesPerKey: 3 });
    const key = freshKey();
    const five = make('1', '2', '3', '4', '5');
    await store.commit(key, { added: five });
    expect(texts(await store.peek(key))).toEqual(['3', '4', '5']);
    expect(drops).toEqual([{ key, messages: five.slice(0, 2), reason: 'overflow' }]);
  });

  it('reports each overflow of successive appends as it happens', async () => {
    const { store, drops } = recordingStore({ maxMessagesPerKey: 3 });
    const key = freshKey();
    const five = make('1', '2', '3', '4', '5');
    for (const message of five) await store.commit(key, { added: [message] });
    expect(texts(await store.commit(key, { handOut: 'take' }))).toEqual(['3', '4', '5']);
    expect(drops).toEqual([
      { key, messages: [five[0]], reason: 'overflow' },
      { key, messages: [five[1]], reason: 'overflow' },
    ]);
  });

  it('takes a single append of more messages than Lua can unpack at once', async () => {
    const { store, drops } = recordingStore({ maxMessagesPerKey: 9000 });
    const key = freshKey();
    const many = make(...Array.from({ length: 10_000 }, (_, i) => `${i}`));
    await store.commit(key, { added: many });
    expect(drops).toEqual([{ key, messages: many.slice(0, 1000), reason: 'overflow' }]);
    expect(await store.commit(key, { handOut: 'take' })).toEqual(many.slice(1000));
  });

  it('does not report a drop when messages are taken or read', async () => {
    const { store, drops } = recordingStore({ maxMessagesPerKey: 3 });
    const key = freshKey();
    await store.commit(key, { added: make('1') });
    await store.commit(key, { added: make('2') });
    await store.peek(key);
    await store.commit(key, { handOut: 'take' });
    await store.commit(key, { added: make('3', '4', '5') });
    expect(drops).toEqual([]);
  });
});

describe.skipIf(!server)('RedisStore round trips', () => {
  it('appends in one round trip: one EVALSHA that pushes, trims, expires and publishes', async () => {
    const store = storeOf();
    const key = freshKey();
    await store.commit(key, { added: make('warm-up') });
    const sent = await commandsSent(app(), () => store.commit(key, { added: make('one', 'two') }));
    expect(sent.map(([name]) => name)).toEqual(['evalsha']);
  });

  it('takes in two round trips: one EVALSHA that leases what it hands out to the take alone, then one that acknowledges exactly those ids', async () => {
    const store = storeOf();
    const key = freshKey();
    await store.commit(key, { added: make('one') });
    await store.commit(key, { handOut: 'take' });
    const [two, three] = make('two', 'three') as [StoredMessage, StoredMessage];
    await store.commit(key, { added: [two, three] });
    const sent = await commandsSent(app(), () => store.commit(key, { handOut: 'take' }));
    expect(sent.map(([name]) => name)).toEqual(['evalsha', 'evalsha']);
    // evalsha, the SHA1, 3 and the three keys, then the script's ARGV: what it hands out at 9,
    // the lease's holder at 10, the number of acknowledged ids at 12, then those ids.
    const [lease, ack] = sent;
    expect(lease?.slice(9, 11)).toEqual(['take', expect.stringMatching(/^take:\S+$/)]);
    expect(lease?.slice(12)).toEqual(['0']);
    expect(ack?.slice(9, 11)).toEqual(['none', '']);
    expect(ack?.slice(12)).toEqual(['2', two.id, three.id]);
    const list = `trpc-messages:{${key}}`;
    expect(await admin().exists(list, `${list}:leases`)).toBe(0);
  });

  it('takes nothing in one round trip: with nothing handed out there is nothing to acknowledge', async () => {
    const store = storeOf();
    const key = freshKey();
    const sent = await commandsSent(app(), () => store.commit(key, { handOut: 'take' }));
    expect(sent.map(([name]) => name)).toEqual(['evalsha']);
  });

  it('peeks with one LRANGE', async () => {
    const store = storeOf();
    const key = freshKey();
    const sent = await commandsSent(app(), () => store.peek(key));
    expect(sent).toEqual([['lrange', `trpc-messages:{${key}}`, '0', '-1']]);
  });

  it('sends a script whole only when Redis lost it (restart, SCRIPT FLUSH), then by SHA1', async () => {
    const store = storeOf();
    const key = freshKey();
    await store.commit(key, { added: make('warm-up') });
    await admin().script('FLUSH');
    const first = await commandsSent(app(), () => store.commit(key, { added: make('one') }));
    expect(first.map(([name]) => name)).toEqual(['evalsha', 'eval']);
    const second = await commandsSent(app(), () => store.commit(key, { added: make('two') }));
    expect(second.map(([name]) => name)).toEqual(['evalsha']);
    expect(texts(await store.commit(key, { handOut: 'take' }))).toEqual(['warm-up', 'one', 'two']);
  });
});

describe.skipIf(!server)('RedisStore under concurrency', () => {
  it('loses and duplicates nothing under 1000 concurrent appends and takes from two instances', async () => {
    const instances = [
      storeOf({ client: connect(), maxMessagesPerKey: 10_000 }),
      storeOf({ client: connect(), maxMessagesPerKey: 10_000 }),
    ];
    const key = freshKey();
    const appended: string[] = [];
    const taken: string[] = [];
    await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => {
        const store = instances[i % 2] as RedisStore;
        // Spread the operations over several turns of the event loop.
        for (let turn = 0; turn < i % 5; turn++) await new Promise(setImmediate);
        if (i % 3 === 0) {
          taken.push(...texts(await store.commit(key, { handOut: 'take' })));
        } else {
          const batch = make(`${i}a`, `${i}b`);
          appended.push(...texts(batch));
          await store.commit(key, { added: batch });
        }
      }),
    );
    const left = texts(await (instances[0] as RedisStore).commit(key, { handOut: 'take' }));
    const delivered = [...taken, ...left];
    expect(taken.length).toBeGreaterThan(0);
    expect(delivered).toHaveLength(appended.length);
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(new Set(delivered)).toEqual(new Set(appended));
  });
});

describe.skipIf(!server)('RedisStore watch', () => {
  /** Subscribers on the server, and the subscriptions to the channel of the store key `key`. */
  async function subscriptions(key: string) {
    const clients = String(await admin().call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
    const [, count] = (await admin().call('PUBSUB', 'NUMSUB', `trpc-messages:{${key}}`)) as [
      string,
      number,
    ];
    return { connections: clients.split('\n').filter(Boolean).length, channel: count };
  }

  /**
   * Resolves once the subscriptions `store` made so far are live: a key it watches after them,
   * holding a message, is signalled only once its own subscription is, and the subscriber
   * confirms subscriptions, and the store checks their lists, in order.
   */
  async function live(store: RedisStore): Promise<void> {
    const sentinel = freshKey();
    await store.commit(sentinel, { added: make('sentinel') });
    const heard = counter();
    const unwatch = store.watch(sentinel, heard.listener);
    await until(() => heard.calls === 1);
    unwatch();
  }

  it('tells a listener, once its subscription is live, of messages appended before it, and says nothing of a key that holds none', async () => {
    const store = storeOf({ client: connect() });
    const empty = freshKey();
    const holding = freshKey();
    await store.commit(holding, { added: make('before the watch') });
    const silent = counter();
    const heard = counter();
    const unwatchEmpty = store.watch(empty, silent.listener);
    const unwatchHolding = store.watch(holding, heard.listener);
    // Checked in order: once the second key's signal is in, the first key's check is done.
    await until(() => heard.calls === 1);
    expect(silent.calls).toBe(0);
    await store.commit(empty, { added: make('now') });
    await until(() => silent.calls === 1);
    unwatchEmpty();
    unwatchHolding();
  });

  it('tells a listener on instance B of an append made on instance A', async () => {
    const a = storeOf({ client: connect() });
    const b = storeOf({ client: connect() });
    const key = freshKey();
    const heard = counter();
    const unwatch = b.watch(key, heard.listener);
    await live(b);
    await a.commit(key, { added: make('hello from A') });
    await until(() => heard.calls === 1);
    expect(texts(await b.commit(key, { handOut: 'take' }))).toEqual(['hello from A']);
    unwatch();
  });

  it('does not tell a listener of appends to other keys', async () => {
    const store = storeOf({ client: connect() });
    const key = freshKey();
    const heard = counter();
    const unwatch = store.watch(key, heard.listener);
    await live(store);
    await store.commit(freshKey(), { added: make('elsewhere') });
    await store.commit(key, { added: make('here') });
    // A signal sent after both, over the same subscriber connection: once it is in, so are they.
    await live(store);
    expect(heard.calls).toBe(1);
    unwatch();
  });

  it('stops calling a listener once unwatched, and unsubscribes with the last one', async () => {
    const store = storeOf({ client: connect() });
    const key = freshKey();
    const first = counter();
    const second = counter();
    const unwatchFirst = store.watch(key, first.listener);
    const unwatchSecond = store.watch(key, second.listener);
    await live(store);
    expect((await subscriptions(key)).channel).toBe(1);

    unwatchFirst();
    unwatchFirst();
    await store.commit(key, { added: make('one') });
    await until(() => second.calls === 1);
    expect(first.calls).toBe(0);
    expect((await subscriptions(key)).channel).toBe(1);

    unwatchSecond();
    await until(async () => (await subscriptions(key)).channel === 0);
    await store.commit(key, { added: make('two') });
    // A signal sent after it, over the same subscriber connection: once it is in, so would it be.
    await live(store);
    expect([first.calls, second.calls]).toEqual([0, 1]);
  });

  it('calls a listener added twice twice, until each registration is undone', async () => {
    const store = storeOf({ client: connect() });
    const key = freshKey();
    const heard = counter();
    const unwatchOnce = store.watch(key, heard.listener);
    const unwatchTwice = store.watch(key, heard.listener);
    await live(store);
    await store.commit(key, { added: make('one') });
    await until(() => heard.calls === 2);
    unwatchOnce();
    await store.commit(key, { added: make('two') });
    await until(() => heard.calls === 3);
    unwatchTwice();
  });

  it('watches every key over one subscriber connection, and close() ends it', async () => {
    await until(async () => (await subscriptions('none')).connections === 0);
    const store = storeOf({ client: connect() });
    const keys = [freshKey(), freshKey(), freshKey()];
    const heard = counter();
    for (const key of keys) store.watch(key, heard.listener);
    await live(store);
    expect((await subscriptions('none')).connections).toBe(1);
    await store.close();
    await until(async () => (await subscriptions('none')).connections === 0);
    // Another instance watching the key: once it hears the append, Redis has sent it to every
    // subscriber there is.
    const witness = storeOf({ client: connect() });
    const witnessed = counter();
    witness.watch(keys[0] as string, witnessed.listener);
    await live(witness);
    await store.commit(keys[0] as string, { added: make('after close') });
    await until(() => witnessed.calls === 1);
    expect(heard.calls).toBe(0);
  });
});

// Last: these stop, kill and restart the server.
describe.skipIf(!server)('RedisStore when Redis is slow or down', () => {
  /**
   * A client of `library` that reconnects every 20 ms and has no 'error' listener of the app's,
   * ready, with a count of its attempts to reconnect.
   */
  async function bareClient(library: 'ioredis' | 'node-redis') {
    if (!server) throw new Error('no redis-server');
    const attempts = { count: 0 };
    if (library === 'ioredis') {
      const client = new Redis({ port: server.port, host: '127.0.0.1', retryStrategy: () => 20 });
      client.on('reconnecting', () => void attempts.count++);
      await once(client, 'ready');
      return { client, attempts, close: () => client.disconnect() };
    }
    const client = createClient({ url: server.url, socket: { reconnectStrategy: () => 20 } });
    client.on('reconnecting', () => void attempts.count++);
    await client.connect();
    return { client, attempts, close: () => client.destroy() };
  }

  it.each(['ioredis', 'node-redis'] as const)(
    'listens to a %s client’s errors, so a lost connection with no listener of the app’s is reported once, however many retries, and summarised once the client is back',
    async (library) => {
      const { client, attempts, close } = await bareClient(library);
      const store = new RedisStore({ client });
      stores.push(store);
      const reports: unknown[] = [];
      store.watchErrors((error) => reports.push(error));
      try {
        await server?.kill();
        // Had an 'error' event no listener, Node would have thrown it: the run would fail.
        await until(() => attempts.count >= 3, 10_000);
        expect(reports).toHaveLength(1);
        const [started] = reports;
        expect(started).toBeInstanceOf(RedisOutageError);
        expect(started).toMatchObject({ connectionErrors: 1, ms: undefined });
        expect(String(started)).toMatch(
          /^RedisOutageError: trpc-messages: lost the connection to Redis \(.+\); until it is back, messages are neither stored nor read/,
        );
        expect((started as Error).cause).toBeInstanceOf(Error);

        await server?.restart();
        await until(() => reports.length === 2, 10_000);
        const [, ended] = reports;
        expect(ended).toBeInstanceOf(RedisOutageError);
        const { connectionErrors, ms } = ended as RedisOutageError;
        // At least the two failed reconnects before the third attempt, when one report was made.
        expect(connectionErrors).toBeGreaterThanOrEqual(2);
        expect(ms).toBeGreaterThan(0);
        expect(String(ended)).toBe(
          `RedisOutageError: trpc-messages: Redis was unreachable for ${((ms ?? 0) / 1000).toFixed(1)} s (${connectionErrors} connection errors); it answers again`,
        );
        // Working again, and nothing more to say.
        await store.commit(freshKey(), { added: make('after the outage') });
        expect(reports).toHaveLength(2);
      } finally {
        await store.close();
        await close();
      }
    },
  );

  it('logs an outage with console.error, once as it starts and once as it ends, for a store nobody watches', async () => {
    const { client, attempts, close } = await bareClient('ioredis');
    const store = new RedisStore({ client });
    stores.push(store);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await server?.kill();
      await until(() => attempts.count >= 3, 10_000);
      // One line each, as the kit's own notices are logged.
      expect(logged.mock.calls).toEqual([
        [expect.stringMatching(/^trpc-messages: lost the connection to Redis \(/)],
      ]);
      await server?.restart();
      await until(() => logged.mock.calls.length === 2, 10_000);
      expect(logged.mock.calls[1]).toEqual([
        expect.stringMatching(/^trpc-messages: Redis was unreachable for [0-9.]+ s \(/),
      ]);
    } finally {
      logged.mockRestore();
      await store.close();
      close();
    }
  });

  it('stops listening to the client once closed, leaving the app’s own listeners', async () => {
    const client = connect();
    const before = { error: client.listenerCount('error'), ready: client.listenerCount('ready') };
    const store = new RedisStore({ client });
    expect(client.listenerCount('error')).toBe(before.error + 1);
    await store.close();
    expect({ error: client.listenerCount('error'), ready: client.listenerCount('ready') }).toEqual(
      before,
    );
  });

  it('withdraws a node-redis command that timed out while Redis was down: it never runs once Redis is back', async () => {
    if (!server) throw new Error('no redis-server');
    // node-redis's defaults: commands wait in its offline queue while it reconnects.
    const client = createClient({ url: server.url, socket: { reconnectStrategy: () => 50 } });
    client.on('error', () => {});
    await client.connect();
    const store = storeOf({ client, commandTimeoutMs: 200 });
    const key = freshKey();
    const reconnecting = new Promise((resolve) => client.once('reconnecting', resolve));
    await server.kill();
    try {
      await reconnecting;
      await expect(store.commit(key, { added: make('timed out') })).rejects.toThrow(
        'did not answer within 200ms',
      );
    } finally {
      const ready = new Promise((resolve) => client.once('ready', resolve));
      await server.restart();
      await ready;
    }
    // The queue is sent as the client reconnects: had the append been left in it, it is in now.
    await client.sendCommand(['PING']);
    expect(await store.peek(key)).toEqual([]);
    await client.close();
  });

  it('never lets a take that Redis ran after it timed out remove a message: the message stays, leased to that take alone, and a later take gets it once that lease ends', async () => {
    const client = connect();
    const store = storeOf({ client, commandTimeoutMs: 300, takeLeaseMs: 300 });
    const key = freshKey();
    const [one] = make('one') as [StoredMessage];
    await store.commit(key, { added: [one] });
    server?.pause();
    try {
      await expect(store.commit(key, { handOut: 'take' })).rejects.toThrow(
        'trpc-messages: Redis did not answer within 300ms',
      );
      await expect(store.peek(key)).rejects.toThrow('did not answer within 300ms');
    } finally {
      server?.resume();
    }
    // The replies come now: a ping sent after them settles once they have been handled.
    await client.ping();
    // The take ran once Redis woke up, but it only leased the message to itself, and no one
    // acknowledges what no one received.
    expect(texts(await store.peek(key))).toEqual(['one']);
    const leases = `trpc-messages:{${key}}:leases`;
    expect(await admin().hget(leases, one.id)).toMatch(/^take:\S+ \d+$/);
    // Taken once that lease ends (by Redis's clock), and only then gone.
    let taken: string[] = [];
    await until(async () => {
      taken = texts(await store.commit(key, { handOut: 'take' }));
      return taken.length > 0;
    }, 10_000);
    expect(taken).toEqual(['one']);
    expect(await store.commit(key, { handOut: 'take' })).toEqual([]);
    expect(await store.peek(key)).toEqual([]);
  });

  /**
   * The app's client, but the store's removals of taken messages (steps that hand out nothing
   * and acknowledge ids) fail while `lose.acks` is above 0, each counting it down.
   */
  function losingAcks(lose: { acks: number }): RedisStoreClient {
    const real = connect();
    return {
      // After the SHA1 and the count come the 3 keys, then ARGV: what is handed out at ARGV[4],
      // the number of acknowledged ids at ARGV[7].
      evalsha: (sha1, numkeys, ...args) => {
        if (lose.acks > 0 && args[6] === 'none' && args[9] !== '0') {
          lose.acks -= 1;
          return Promise.reject(new Error('acknowledgement lost'));
        }
        return real.evalsha(sha1, numkeys, ...args);
      },
      eval: (source, numkeys, ...args) => real.eval(source, numkeys, ...args),
      lrange: (key, start, stop) => real.lrange(key, start, stop),
      duplicate: () => real.duplicate(),
      on: real.on.bind(real),
      off: real.off.bind(real),
    };
  }

  it('hands out what a take got even when removing it fails, and sends the removal again until it lands: the messages are not handed out again', async () => {
    const lose = { acks: 2 };
    const store = storeOf({ client: losingAcks(lose) });
    const reports: unknown[] = [];
    store.watchErrors((error) => reports.push(error));
    const key = freshKey();
    await store.commit(key, { added: make('one') });

    expect(texts(await store.commit(key, { handOut: 'take' }))).toEqual(['one']);
    // Sent again in the background: the message is gone once a try lands.
    await until(async () => (await store.peek(key)).length === 0, 10_000);
    expect(lose.acks).toBe(0);
    expect(await store.commit(key, { handOut: 'take' })).toEqual([]);
    expect(reports).toEqual([]);
  });

  it('reports a removal of taken messages that never landed before their lease ended, and hands them out again then', async () => {
    const lose = { acks: Number.POSITIVE_INFINITY };
    const store = storeOf({ client: losingAcks(lose), takeLeaseMs: 300 });
    const reports: unknown[] = [];
    store.watchErrors((error) => reports.push(error));
    const key = freshKey();
    await store.commit(key, { added: make('one') });

    expect(texts(await store.commit(key, { handOut: 'take' }))).toEqual(['one']);
    await until(() => reports.length > 0, 10_000);
    expect(reports).toEqual([
      new Error(
        `trpc-messages: 1 message(s) of ${key} were handed out, but their removal failed until their lease of 300 ms ended, so they may be handed out again`,
      ),
    ]);
    expect((reports[0] as Error).cause).toEqual(new Error('acknowledgement lost'));

    lose.acks = 0;
    let again: string[] = [];
    await until(async () => {
      again = texts(await store.commit(key, { handOut: 'take' }));
      return again.length > 0;
    }, 10_000);
    expect(again).toEqual(['one']);
    expect(await store.peek(key)).toEqual([]);
  });

  it('rejects operations, without hanging, while Redis is down, and works again once it is back', async () => {
    const a = storeOf({ client: connect(), commandTimeoutMs: 500 });
    const b = storeOf({ client: connect(), commandTimeoutMs: 500 });
    const key = freshKey();
    const heard = counter();
    b.watch(key, heard.listener);
    await a.commit(key, { added: make('before the crash') });
    // Heard as published, or found by the check once the subscription was live.
    await until(() => heard.calls >= 1);

    await server?.kill();
    // Each rejects, by the client's error or by commandTimeoutMs: none hangs (the test would).
    for (const operation of [
      () => a.commit(key, { handOut: 'take' }),
      () => a.peek(key),
      () => a.commit(key, { added: make('lost, or late') }),
    ]) {
      await expect(operation()).rejects.toThrow();
    }

    await server?.restart();
    // ioredis reconnects by itself; the restarted server is empty and has no scripts.
    // Each instance's connections reconnect on their own schedule (a growing backoff).
    const answers = (store: RedisStore) =>
      store.peek(key).then(
        () => true,
        () => false,
      );
    await until(async () => (await answers(a)) && (await answers(b)), 10_000);
    // An append that timed out may have waited in ioredis's offline queue and run on reconnect
    // (before the peeks above, on the same connection): clear it.
    await b.commit(key, { handOut: 'take' });
    const calls = heard.calls;
    // Heard once the subscriber is back: as published, or found by its check after resubscribing.
    await a.commit(key, { added: make('after the restart') });
    await until(() => heard.calls > calls, 10_000);
    expect(texts(await b.commit(key, { handOut: 'take' }))).toEqual(['after the restart']);
    // Late replies and rejections have come by now: failOnUnhandledRejections checks them.
    await sleep(100);
  });
});
