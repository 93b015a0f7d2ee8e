import fc from 'fast-check';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { createCookieExchange } from '../../../server/http/cookie-exchange.js';
import { cookieStorage } from '../../../server/storage/cookie/cookie-storage.js';
import { applyChange, type KeyState } from '../../../server/storage/delivery-rule.js';
import type { HandOut, MessageStore, StoreChange } from '../../../server/storage/message-store.js';
import { MemoryStore } from '../../../server/stores/memory/memory-store.js';
import { RedisStore } from '../../../server/stores/redis/redis-store.js';
import { INFO } from '../../../shared/levels.js';
import type { StoredMessage } from '../../../shared/message.js';
import { CookieJar } from '../../fixtures/cookie-jar.js';
import { startRedisServer } from '../../fixtures/redis-server.js';

const server = await startRedisServer();
const closing: (() => unknown)[] = [];
afterAll(async () => {
  for (const close of closing.reverse()) await close();
  await server?.stop();
});

let serial = 0;
const make = (...texts: string[]): StoredMessage[] =>
  texts.map((message) => ({ id: `r${++serial}`, level: INFO, message, extraTags: '' }));
const ids = (messages: readonly StoredMessage[]) => messages.map((m) => m.id);
const minute = (holder: string) => ({ holder, ms: 60_000 });
const NOW = 1_800_000_000_000;

describe('applyChange, the delivery rule', () => {
  it('removes the acknowledged, appends, trims the oldest past the bound, then hands out', () => {
    const [a, b, c, d] = make('a', 'b', 'c', 'd') as [
      StoredMessage,
      StoredMessage,
      StoredMessage,
      StoredMessage,
    ];
    const step = applyChange(
      { messages: [a, b] },
      { acked: [a.id], added: [c, d], lease: minute('tab'), handOut: 'all' },
      NOW,
      2,
    );
    expect(ids(step.messages)).toEqual([c.id, d.id]);
    expect(ids(step.trimmed)).toEqual([b.id]);
    expect(ids(step.removed)).toEqual([a.id, b.id]);
    expect(ids(step.handedOut)).toEqual([c.id, d.id]);
    expect(step.leases?.get(c.id)).toEqual({ holder: 'tab', until: NOW + 60_000 });
  });

  it("hands out with 'own' only the holder's, whatever their lease's age; with 'all' the free ones too", () => {
    const [mine, theirs, expired, free] = make(
      'mine',
      'theirs',
      'expired',
      'free',
    ) as StoredMessage[] as [StoredMessage, StoredMessage, StoredMessage, StoredMessage];
    const state: KeyState = {
      messages: [mine, theirs, expired, free],
      leases: new Map([
        [mine.id, { holder: 'tab', until: NOW - 1 }],
        [theirs.id, { holder: 'other', until: NOW + 1 }],
        [expired.id, { holder: 'other', until: NOW }],
      ]),
    };
    expect(
      ids(applyChange(state, { lease: minute('tab'), handOut: 'own' }, NOW).handedOut),
    ).toEqual([mine.id]);
    expect(
      ids(applyChange(state, { lease: minute('tab'), handOut: 'all' }, NOW).handedOut),
    ).toEqual([mine.id, expired.id, free.id]);
  });

  it('takes everything without a lease, and with one leases it to the taker, skipping what another take holds', () => {
    const [held, free] = make('held', 'free') as [StoredMessage, StoredMessage];
    const state: KeyState = {
      messages: [held, free],
      leases: new Map([[held.id, { holder: 'take:other', until: NOW + 1 }]]),
    };
    const taken = applyChange({ messages: [held, free] }, { handOut: 'take' }, NOW);
    expect(ids(taken.handedOut)).toEqual([held.id, free.id]);
    expect(taken.messages).toEqual([]);
    const leased = applyChange(state, { lease: minute('take:mine'), handOut: 'take' }, NOW);
    expect(ids(leased.handedOut)).toEqual([free.id]);
    expect(ids(leased.messages)).toEqual([held.id, free.id]);
    expect(leased.leases?.get(free.id)?.holder).toBe('take:mine');
  });

  it('never changes the state it is given', () => {
    const messages = Object.freeze(make('a', 'b'));
    const leases = new Map([[messages[0]?.id ?? '', { holder: 'tab', until: NOW + 1 }]]);
    const state = { messages, leases };
    applyChange(
      state,
      { acked: [messages[0]?.id ?? ''], added: make('c'), lease: minute('x'), handOut: 'all' },
      NOW,
      2,
    );
    expect(ids(state.messages)).toHaveLength(2);
    expect([...leases.keys()]).toEqual([messages[0]?.id]);
  });
});

/** The cookie storage reached by key, as a store is: a browser per key, its cookie kept. */
function cookieAsStore(): Pick<MessageStore, 'commit' | 'peek'> {
  const storage = cookieStorage({ secret: 'delivery-rule-test-secret-0123456789' });
  const jars = new Map<string, CookieJar>();
  const open = (key: string) => {
    const jar = jars.get(key) ?? new CookieJar();
    jars.set(key, jar);
    const exchange = createCookieExchange(jar.header(), { secure: false });
    return { jar, exchange, backend: storage.open(exchange) };
  };
  return {
    async commit(key, change) {
      const { jar, exchange, backend } = open(key);
      const { handedOut } = await backend.commit(change);
      jar.apply(exchange.setCookieHeaders());
      return handedOut;
    },
    peek: (key) => open(key).backend.peek(),
  };
}

const stores: { name: string; store: Pick<MessageStore, 'commit' | 'peek'> }[] = [
  { name: 'MemoryStore', store: new MemoryStore({ maxMessagesPerKey: 1000 }) },
  { name: 'the cookie', store: cookieAsStore() },
];
if (server) {
  const ioredis = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  const nodeRedis = createClient({ url: server.url });
  await nodeRedis.connect();
  for (const [name, client, prefix] of [
    ['RedisStore (ioredis)', ioredis, 'ioredis:'],
    ['RedisStore (node-redis)', nodeRedis, 'node-redis:'],
  ] as const) {
    // A prefix each: the two clients share the redis-server.
    const store = new RedisStore({ client, maxMessagesPerKey: 1000, prefix });
    stores.push({ name, store });
    closing.push(() => store.close());
  }
  closing.push(
    () => ioredis.disconnect(),
    () => nodeRedis.destroy(),
  );
}

describe('every store, step by step, against the rule', () => {
  it.skipIf(!server)(
    `runs any sequence of steps as applyChange does: ${stores.map((s) => s.name).join(', ')}`,
    async () => {
      const step = fc.record({
        add: fc.nat(2),
        // Indices into the ids added so far (out of range: an unknown id).
        ack: fc.array(fc.nat(12), { maxLength: 3 }),
        holder: fc.option(fc.constantFrom('tab-a', 'tab-b'), { nil: undefined }),
        handOut: fc.constantFrom<HandOut>('none', 'own', 'all', 'take'),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), async (steps) => {
          const key = `rule-${++serial}`;
          const added: StoredMessage[] = [];
          // The rule's own view of the key (leases last a minute: none ends within a run).
          let model: KeyState = { messages: [] };
          for (const { add, ack, holder, handOut } of steps) {
            const fresh = make(...Array.from({ length: add }, (_, i) => `m${i}`));
            added.push(...fresh);
            const change: StoreChange = {
              added: fresh,
              acked: ack.map((i) => added[i]?.id ?? `unknown${i}`),
              lease: holder === undefined ? undefined : minute(holder),
              handOut: holder === undefined && handOut !== 'take' ? 'none' : handOut,
            };
            const expected = applyChange(model, change, Date.now());
            model = expected;
            for (const { name, store } of stores) {
              const handed = await store.commit(key, change);
              expect(ids(handed), `${name} hands out`).toEqual(ids(expected.handedOut));
              expect(ids(await store.peek(key)), `${name} keeps`).toEqual(ids(expected.messages));
            }
          }
        }),
        { numRuns: 60 },
      );
    },
  );
});
