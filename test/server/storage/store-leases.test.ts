import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { applyChange, type KeyState } from '../../../server/storage/delivery-rule.js';
import {
  type HandOut,
  KEY_RETIRED,
  type MessageStore,
  RetiredKeyError,
} from '../../../server/storage/message-store.js';
import { MemoryStore } from '../../../server/stores/memory/memory-store.js';
import { RedisStore, type RedisStoreClient } from '../../../server/stores/redis/redis-store.js';
import { INFO } from '../../../shared/levels.js';
import type { StoredMessage } from '../../../shared/message.js';
import { startRedisServer } from '../../fixtures/redis-server.js';
import { texts } from '../../fixtures/texts.js';

// Leases and acknowledgements, the same for every store: the contract of MessageStore.commit.

const server = await startRedisServer();
const closing: (() => unknown)[] = [];
afterAll(async () => {
  for (const close of closing.reverse()) await close();
  await server?.stop();
});

/** A RedisStore over an ioredis client of the test server. */
function ioredisStore(): RedisStore {
  if (!server) throw new Error('no redis-server');
  const client = new Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: 1 });
  closing.push(() => client.disconnect());
  return redisStoreOver(client);
}

/** A RedisStore over a node-redis client of the test server (connected as its first command goes). */
function nodeRedisStore(): RedisStore {
  if (!server) throw new Error('no redis-server');
  const client = createClient({ url: server.url });
  client.connect().catch(() => {});
  closing.push(() => client.destroy());
  return redisStoreOver(client);
}

function redisStoreOver(client: RedisStoreClient): RedisStore {
  const store = new RedisStore({ client, maxMessagesPerKey: 1000 });
  closing.push(() => store.close());
  return store;
}

const stores: { name: string; make: () => MessageStore; skip: boolean }[] = [
  { name: 'MemoryStore', make: () => new MemoryStore({ maxMessagesPerKey: 1000 }), skip: false },
  { name: 'RedisStore (ioredis)', make: ioredisStore, skip: !server },
  { name: 'RedisStore (node-redis)', make: nodeRedisStore, skip: !server },
];

let nextId = 0;
/** Stored messages with fresh ids, the given texts. */
const make = (...texts: string[]): StoredMessage[] =>
  texts.map((message) => ({ id: `m${++nextId}`, level: INFO, message, extraTags: '' }));

let nextKey = 0;
const freshKey = () => `lease-key${++nextKey}`;

/** A lease of tab `holder` that outlives any test. */
const held = (holder: string) => ({ holder, ms: 60_000 });
const ids = (messages: readonly StoredMessage[]) => messages.map((m) => m.id);

describe.each(stores)('$name leases and acknowledgements', ({ make: makeStore, skip }) => {
  describe.skipIf(skip)('', () => {
    let store: MessageStore;
    beforeEach(() => {
      store = makeStore();
    });

    it('hands messages out under a lease without removing them', async () => {
      const key = freshKey();
      await store.commit(key, { added: make('one', 'two') });
      const handed = await store.commit(key, { lease: held('tab-a'), handOut: 'all' });
      expect(texts(handed)).toEqual(['one', 'two']);
      expect(texts(await store.peek(key))).toEqual(['one', 'two']);
    });

    it('hands leased messages again, at once, to the same holder (a reload)', async () => {
      const key = freshKey();
      await store.commit(key, { added: make('one') });
      await store.commit(key, { lease: held('tab-a'), handOut: 'all' });
      expect(texts(await store.commit(key, { lease: held('tab-a'), handOut: 'all' }))).toEqual([
        'one',
      ]);
    });

    it('hands no other holder a message under an unexpired lease', async () => {
      const key = freshKey();
      await store.commit(key, { added: make('one') });
      await store.commit(key, { lease: held('tab-a'), handOut: 'all' });
      expect(await store.commit(key, { lease: held('tab-b'), handOut: 'all' })).toEqual([]);
    });

    it('hands a message to another holder once its lease has ended', async () => {
      const key = freshKey();
      await store.commit(key, { added: make('one') });
      await store.commit(key, { lease: { holder: 'tab-a', ms: 30 }, handOut: 'all' });
      await sleep(60);
      expect(texts(await store.commit(key, { lease: held('tab-b'), handOut: 'all' }))).toEqual([
        'one',
      ]);
      // Tab b holds it now.
      expect(await store.commit(key, { lease: held('tab-a'), handOut: 'all' })).toEqual([]);
    });

    it('removes acknowledged messages for good; an acknowledged message never comes back', async () => {
      const key = freshKey();
      const [one, two] = make('one', 'two') as [StoredMessage, StoredMessage];
      await store.commit(key, { added: [one, two] });
      await store.commit(key, { lease: held('tab-a'), handOut: 'all' });
      await store.commit(key, { acked: [one.id] });
      expect(texts(await store.peek(key))).toEqual(['two']);
      expect(texts(await store.commit(key, { lease: held('tab-a'), handOut: 'all' }))).toEqual([
        'two',
      ]);
      await store.commit(key, { acked: [two.id] });
      expect(await store.peek(key)).toEqual([]);
      expect(await store.commit(key, { lease: held('tab-b'), handOut: 'all' })).toEqual([]);
    });

    it('takes acknowledgements that are repeated, out of order or for unknown ids harmlessly', async () => {
      const key = freshKey();
      const [one, two, three] = make('one', 'two', 'three') as StoredMessage[] as [
        StoredMessage,
        StoredMessage,
        StoredMessage,
      ];
      await store.commit(key, { added: [one, two, three] });
      await store.commit(key, { acked: [three.id, 'nobody-knows', one.id, three.id] });
      await store.commit(key, { acked: [one.id] });
      expect(texts(await store.peek(key))).toEqual(['two']);
    });

    it('removes nothing of a key through acknowledgements sent to another key', async () => {
      const mine = freshKey();
      const theirs = freshKey();
      const [message] = make('theirs') as [StoredMessage];
      await store.commit(theirs, { added: [message] });
      await store.commit(mine, { added: make('mine'), acked: [message.id] });
      expect(texts(await store.peek(theirs))).toEqual(['theirs']);
    });

    it('applies acknowledgements, then additions, then the hand-out, in one step', async () => {
      const key = freshKey();
      const [old] = make('old') as [StoredMessage];
      await store.commit(key, { added: [old] });
      const handed = await store.commit(key, {
        acked: [old.id],
        added: make('new'),
        lease: held('tab-a'),
        handOut: 'all',
      });
      expect(texts(handed)).toEqual(['new']);
    });

    it("hands a holder its own messages only with 'own': free ones stay for the tab in view", async () => {
      const key = freshKey();
      await store.commit(key, { added: make('from a job') });
      const handed = await store.commit(key, {
        added: make('from this tab'),
        lease: held('tab-a'),
        handOut: 'own',
      });
      expect(texts(handed)).toEqual(['from this tab']);
      expect(texts(await store.commit(key, { lease: held('tab-b'), handOut: 'all' }))).toEqual([
        'from a job',
      ]);
    });

    it('adds messages leased to their holder: no other holder gets them while the lease lasts', async () => {
      const key = freshKey();
      await store.commit(key, { added: make('mine'), lease: held('tab-a') });
      expect(await store.commit(key, { lease: held('tab-b'), handOut: 'all' })).toEqual([]);
      expect(texts(await store.commit(key, { lease: held('tab-a'), handOut: 'own' }))).toEqual([
        'mine',
      ]);
    });

    it("takes everything with 'take', leases or not, and leaves nothing", async () => {
      const key = freshKey();
      await store.commit(key, { added: make('leased'), lease: held('tab-a') });
      await store.commit(key, { added: make('free') });
      expect(texts(await store.commit(key, { handOut: 'take' }))).toEqual(['leased', 'free']);
      expect(await store.peek(key)).toEqual([]);
    });

    it('tells watchers of appends, with their holder, unless the same step hands them out', async () => {
      const key = freshKey();
      const sentinel = freshKey();
      const heard: (string | undefined)[] = [];
      let sentinelHeard = 0;
      await store.commit(sentinel, { added: make('before the watch') });
      const stops = [
        store.watch(key, (heldBy) => heard.push(heldBy)),
        store.watch(sentinel, () => void sentinelHeard++),
      ];
      try {
        // A Redis watch calls once its subscription is live if the key holds messages: once
        // the sentinel's call is in, the key's subscription (made first) is live too.
        const ready = store instanceof RedisStore ? 1 : 0;
        await until(() => sentinelHeard === ready);
        expect(heard).toEqual([]);
        await store.commit(key, { added: make('inline'), lease: held('tab-a'), handOut: 'own' });
        await store.commit(sentinel, { added: make('free') });
        // Signals arrive in the order they were sent: once the sentinel's is in, any for the
        // handed-out append would be too.
        await until(() => sentinelHeard === ready + 1);
        expect(heard).toEqual([]);
        await store.commit(key, { added: make('leased'), lease: held('tab-a') });
        await store.commit(key, { added: make('free') });
        await until(() => heard.length === 2);
        expect(heard).toEqual(['tab-a', undefined]);
      } finally {
        for (const stop of stops) stop();
      }
    });

    it('refuses a hand-out under a lease without one, with a clear error', async () => {
      await expect(store.commit(freshKey(), { handOut: 'all' })).rejects.toThrow(
        "handing out 'all' needs a lease",
      );
    });

    it('follows the delivery rule (applyChange) for any sequence of steps', async () => {
      const holders = ['tab-a', 'tab-b'] as const;
      const step = fc.record({
        add: fc.nat(2),
        // Indices into the ids added so far (out of range: an unknown id).
        ack: fc.array(fc.nat(12), { maxLength: 3 }),
        holder: fc.option(fc.constantFrom(...holders), { nil: undefined }),
        handOut: fc.constantFrom<HandOut>('none', 'own', 'all', 'take'),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), async (steps) => {
          const key = freshKey();
          const added: StoredMessage[] = [];
          // The rule's own view of the key (leases last a minute: none ends within the test).
          let model: KeyState = { messages: [] };
          for (const { add, ack, holder, handOut: wanted } of steps) {
            const handOut = holder === undefined && wanted !== 'take' ? 'none' : wanted;
            const fresh = make(...Array.from({ length: add }, (_, i) => `m${i}`));
            added.push(...fresh);
            const acked = ack.map((i) => added[i]?.id ?? `unknown${i}`);
            const lease = holder === undefined ? undefined : held(holder);
            const change = { added: fresh, acked, lease, handOut };
            const handed = await store.commit(key, change);

            const expected = applyChange(model, change, Date.now());
            model = expected;
            expect(ids(handed)).toEqual(ids(expected.handedOut));
            expect(ids(await store.peek(key))).toEqual(ids(expected.messages));
          }
        }),
        { numRuns: 40 },
      );
    });
  });
});

describe.each(stores)('$name retired keys and used tokens', ({ make: makeStore, skip }) => {
  describe.skipIf(skip)('', () => {
    let store: MessageStore;
    beforeEach(() => {
      store = makeStore();
    });
    const long = { ttlMs: 60_000, forwardMs: 60_000 };

    /** What a step on `key` rejects with now (undefined when it succeeds). */
    const refusal = (key: string) =>
      store.commit(key, { added: make('late') }).then(
        () => undefined,
        (error: unknown) => error,
      );

    it('retires a key: hands back its messages, leased or not, oldest first, and keeps none', async () => {
      const key = freshKey();
      await store.commit(key, { added: make('one') });
      await store.commit(key, { added: make('two'), lease: held('tab-a') });
      expect(texts(await store.retire(key, 'session:next', long))).toEqual(['one', 'two']);
      expect(await store.peek(key)).toEqual([]);
    });

    it('refuses every step on a retired key, naming its successor while it forwards, and changes nothing', async () => {
      const key = freshKey();
      const successor = freshKey();
      await store.retire(key, successor, long);
      const error = await refusal(key);
      expect(error).toBeInstanceOf(RetiredKeyError);
      expect(error).toMatchObject({ key, successor });
      expect(await store.peek(key)).toEqual([]);
      expect(await store.peek(successor)).toEqual([]);
      await expect(store.commit(key, { lease: held('tab-a'), handOut: 'all' })).rejects.toThrow(
        RetiredKeyError,
      );
    });

    it('names no successor once the key stops forwarding, and still refuses', async () => {
      const key = freshKey();
      await store.retire(key, 'user:7', { ttlMs: 60_000, forwardMs: 1 });
      let error: unknown;
      await until(async () => {
        error = await refusal(key);
        return error instanceof RetiredKeyError && error.successor === undefined;
      });
      expect(await store.peek(key)).toEqual([]);
    });

    it('keeps the first successor of a key retired twice, and hands back nothing the second time', async () => {
      const key = freshKey();
      await store.commit(key, { added: make('one') });
      await store.retire(key, 'session:first', long);
      expect(await store.retire(key, 'session:second', long)).toEqual([]);
      expect(await refusal(key)).toMatchObject({ successor: 'session:first' });
    });

    it('takes steps on the key again once its retirement ends (its cookie can no longer be valid)', async () => {
      const key = freshKey();
      await store.retire(key, 'session:next', { ttlMs: 30, forwardMs: 30 });
      await until(async () => (await refusal(key)) === undefined);
      expect(texts(await store.peek(key))).toEqual(['late']);
    });

    it('tells the watchers of a key that it was retired, once', async () => {
      const key = freshKey();
      const sentinel = freshKey();
      const heard: (string | undefined)[] = [];
      let sentinelHeard = 0;
      const stops = [
        store.watch(key, (heldBy) => heard.push(heldBy)),
        store.watch(sentinel, () => void sentinelHeard++),
      ];
      try {
        // Subscribed (for Redis, in order): once the sentinel hears an append, the key's watch is live.
        await until(async () => {
          await store.commit(sentinel, { added: make('ping') });
          return sentinelHeard > 0;
        });
        await store.retire(key, 'session:next', long);
        await store.retire(key, 'session:again', long);
        const heardBefore = sentinelHeard;
        await store.commit(sentinel, { added: make('after') });
        await until(() => sentinelHeard > heardBefore);
        expect(heard).toEqual([KEY_RETIRED]);
      } finally {
        for (const stop of stops) stop();
      }
    });

    it('keeps a successor with spaces in it (a user id as the app writes it)', async () => {
      const key = freshKey();
      await store.retire(key, 'user:Ada Lovelace', long);
      expect(await refusal(key)).toMatchObject({ successor: 'user:Ada Lovelace' });
    });

    it('records a token as used once: true the first time, false after, until it expires', async () => {
      const id = `token-${freshKey()}`;
      const expiry = Date.now() + 60_000;
      expect(await store.markUsed(id, expiry)).toBe(true);
      expect(await store.markUsed(id, expiry)).toBe(false);
      expect(await store.markUsed(`${id}-other`, expiry)).toBe(true);
      const short = `short-${freshKey()}`;
      expect(await store.markUsed(short, Date.now() + 30)).toBe(true);
      await until(() => store.markUsed(short, Date.now() + 60_000));
    });

    it('records a token used by concurrent steps once', async () => {
      const id = `raced-${freshKey()}`;
      const firsts = await Promise.all(
        Array.from({ length: 10 }, () => store.markUsed(id, Date.now() + 60_000)),
      );
      expect(firsts.filter(Boolean)).toHaveLength(1);
    });
  });
});

/** Resolves once `condition` holds; fails after `ms`. */
async function until(condition: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms}ms`);
    await sleep(5);
  }
}
