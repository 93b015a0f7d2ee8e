import { deepStrictEqual, ok, rejects, strictEqual } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StoredMessage } from '../../shared/message.js';
import { randomId } from '../crypto/random-id.js';
import { applyChange, type KeyState } from '../storage/delivery-rule.js';
import {
  type DropEvent,
  type HandOut,
  KEY_RETIRED,
  type MessageStore,
  RetiredKeyError,
  type StoreChange,
} from '../storage/message-store.js';

/** One check of the store contract, for a test runner: `it(check.name, check.run)`. */
export interface StoreCheck {
  readonly name: string;
  run(): Promise<void>;
}

/** What the contract needs of the store under test. */
export interface StoreContractOptions {
  /**
   * Makes the store to check, applying `maxMessagesPerKey` (the checks use keys of their own, so
   * one store may serve them all). Called once per check.
   */
  readonly make: (limits: { readonly maxMessagesPerKey: number }) => MessageStore;
  /** How long a check may wait for the store (a lease to end, a watch to hear), in ms. Default 10 s. */
  readonly timeoutMs?: number;
}

/**
 * The contract of `MessageStore`, as checks any store passes or fails: leases and
 * acknowledgements, the order of messages, the delivery rule (`applyChange`) over random
 * sequences of steps, atomicity under concurrent steps, drops past `maxMessagesPerKey`, watches,
 * retired keys and used tokens. Run them in any test runner:
 *
 * ```ts
 * for (const check of messageStoreContract({ make: (limits) => new MyStore(limits) })) {
 *   it(check.name, check.run);
 * }
 * ```
 */
export function messageStoreContract(options: StoreContractOptions): StoreCheck[] {
  const timeoutMs = options.timeoutMs ?? 10_000;
  // Keys and ids of this run's own: checks on one store never meet.
  const run = randomId(6);
  let serial = 0;
  const freshKey = () => `contract-${run}-${++serial}`;
  const messages = (...texts: string[]): StoredMessage[] =>
    texts.map((message) => ({ id: `${run}m${++serial}`, level: 20, message, extraTags: '' }));
  const held = (holder: string) => ({ holder, ms: 60_000 });
  const until = async (condition: () => boolean | Promise<boolean>, what: string) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline)
        throw new Error(`store contract: ${what}, not within ${timeoutMs} ms`);
      await sleep(5);
    }
  };
  const check = (
    name: string,
    body: (store: MessageStore) => Promise<void>,
    maxMessagesPerKey = 1000,
  ): StoreCheck => ({ name, run: () => body(options.make({ maxMessagesPerKey })) });

  return [
    check('hands messages out under a lease without removing them', async (store) => {
      const key = freshKey();
      await store.commit(key, { added: messages('one', 'two') });
      const handed = await store.commit(key, { lease: held('tab-a'), handOut: 'all' });
      deepStrictEqual(texts(handed), ['one', 'two']);
      deepStrictEqual(texts(await store.peek(key)), ['one', 'two']);
    }),

    check('hands leased messages again, at once, to the same holder (a reload)', async (store) => {
      const key = freshKey();
      await store.commit(key, { added: messages('one') });
      await store.commit(key, { lease: held('tab-a'), handOut: 'all' });
      const again = await store.commit(key, { lease: held('tab-a'), handOut: 'all' });
      deepStrictEqual(texts(again), ['one']);
    }),

    check('hands no other holder a message under an unexpired lease', async (store) => {
      const key = freshKey();
      await store.commit(key, { added: messages('one') });
      await store.commit(key, { lease: held('tab-a'), handOut: 'all' });
      deepStrictEqual(await store.commit(key, { lease: held('tab-b'), handOut: 'all' }), []);
    }),

    check('hands a message to another holder once its lease has ended', async (store) => {
      const key = freshKey();
      await store.commit(key, { added: messages('one') });
      await store.commit(key, { lease: { holder: 'tab-a', ms: 30 }, handOut: 'all' });
      let handed: StoredMessage[] = [];
      await until(async () => {
        handed = await store.commit(key, { lease: held('tab-b'), handOut: 'all' });
        return handed.length > 0;
      }, 'the lease never ended');
      deepStrictEqual(texts(handed), ['one']);
      deepStrictEqual(await store.commit(key, { lease: held('tab-a'), handOut: 'all' }), []);
    }),

    check(
      'removes acknowledged messages for good, and takes unknown ids harmlessly',
      async (store) => {
        const key = freshKey();
        const [one, two, three] = messages('one', 'two', 'three') as [
          StoredMessage,
          StoredMessage,
          StoredMessage,
        ];
        await store.commit(key, { added: [one, two, three] });
        await store.commit(key, { lease: held('tab-a'), handOut: 'all' });
        await store.commit(key, { acked: [three.id, 'nobody-knows', one.id, three.id] });
        deepStrictEqual(texts(await store.peek(key)), ['two']);
        deepStrictEqual(texts(await store.commit(key, { lease: held('tab-a'), handOut: 'all' })), [
          'two',
        ]);
      },
    ),

    check(
      'removes nothing of a key through acknowledgements sent to another key',
      async (store) => {
        const [theirs] = messages('theirs') as [StoredMessage];
        const [mine, other] = [freshKey(), freshKey()];
        await store.commit(other, { added: [theirs] });
        await store.commit(mine, { added: messages('mine'), acked: [theirs.id] });
        deepStrictEqual(texts(await store.peek(other)), ['theirs']);
      },
    ),

    check("hands a holder its own messages only with 'own': free ones stay", async (store) => {
      const key = freshKey();
      await store.commit(key, { added: messages('from a job') });
      const own = await store.commit(key, {
        added: messages('from this tab'),
        lease: held('tab-a'),
        handOut: 'own',
      });
      deepStrictEqual(texts(own), ['from this tab']);
      deepStrictEqual(texts(await store.commit(key, { lease: held('tab-b'), handOut: 'all' })), [
        'from a job',
      ]);
    }),

    check(
      "takes everything with 'take' and no lease, leased or not, and leaves nothing",
      async (store) => {
        const key = freshKey();
        await store.commit(key, { added: messages('leased'), lease: held('tab-a') });
        await store.commit(key, { added: messages('free') });
        deepStrictEqual(texts(await store.commit(key, { handOut: 'take' })), ['leased', 'free']);
        deepStrictEqual(await store.peek(key), []);
      },
    ),

    check('refuses a hand-out under a lease without one', async (store) => {
      await rejects(store.commit(freshKey(), { handOut: 'all' }), /needs a lease/);
    }),

    check(
      'follows the delivery rule (applyChange) for random sequences of steps',
      async (store) => {
        // A small seeded generator: the same steps on every run, no test library needed.
        let seed = 0x2f6b_4e1d;
        const next = (n: number) => {
          seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
          return seed % n;
        };
        const handOuts: HandOut[] = ['none', 'own', 'all', 'take'];
        for (let sequence = 0; sequence < 30; sequence++) {
          const key = freshKey();
          const added: StoredMessage[] = [];
          let model: KeyState = { messages: [] };
          for (let step = 0, steps = 1 + next(8); step < steps; step++) {
            const fresh = messages(...Array.from({ length: next(3) }, (_, i) => `m${i}`));
            added.push(...fresh);
            const acked = Array.from({ length: next(3) }, () => added[next(12)]?.id ?? 'unknown');
            const holder = ['tab-a', 'tab-b', undefined][next(3)];
            const wanted = handOuts[next(4)] as HandOut;
            const change: StoreChange = {
              added: fresh,
              acked,
              lease: holder === undefined ? undefined : held(holder),
              handOut: holder === undefined && wanted !== 'take' ? 'none' : wanted,
            };
            const handed = await store.commit(key, change);
            const expected = applyChange(model, change, Date.now());
            model = expected;
            deepStrictEqual(ids(handed), ids(expected.handedOut), `step ${step} of ${key}`);
            deepStrictEqual(
              ids(await store.peek(key)),
              ids(expected.messages),
              `after step ${step}`,
            );
          }
        }
      },
    ),

    check('hands each message to one of many steps at once, and loses none', async (store) => {
      const key = freshKey();
      const sent = messages(...Array.from({ length: 40 }, (_, i) => `m${i}`));
      const handed = await Promise.all([
        ...sent.map((message) => store.commit(key, { added: [message] })),
        ...Array.from({ length: 20 }, (_, i) =>
          store.commit(key, { lease: held(`tab-${i}`), handOut: 'all' }),
        ),
      ]);
      const handedIds = ids(handed.flat());
      strictEqual(new Set(handedIds).size, handedIds.length, 'a message was handed out twice');
      // Taken at the end, leased or not: every message is still there, once.
      const taken = ids(await store.commit(key, { handOut: 'take' }));
      deepStrictEqual(new Set(taken), new Set(ids(sent)));
      strictEqual(taken.length, sent.length);
    }),

    check(
      'drops the oldest past maxMessagesPerKey, in order, and tells its drop watchers',
      async (store) => {
        const key = freshKey();
        const drops: DropEvent[] = [];
        const stop = store.watchDrops?.((event) => drops.push(event));
        try {
          await store.commit(key, { added: messages('one', 'two') });
          await store.commit(key, { added: messages('three') });
          deepStrictEqual(texts(await store.peek(key)), ['two', 'three']);
          if (stop) {
            deepStrictEqual(
              drops.map((d) => [d.key, d.reason, texts(d.messages)]),
              [[key, 'overflow', ['one']]],
            );
          }
        } finally {
          stop?.();
        }
      },
      2,
    ),

    check(
      'tells watchers of appends, with their holder, unless the step hands them out',
      async (store) => {
        const key = freshKey();
        const sentinel = freshKey();
        const heard: (string | undefined)[] = [];
        let pings = 0;
        const stops = [
          store.watch(key, (heldBy) => heard.push(heldBy)),
          store.watch(sentinel, () => void pings++),
        ];
        try {
          await live(store, sentinel, () => pings);
          await store.commit(key, {
            added: messages('inline'),
            lease: held('tab-a'),
            handOut: 'own',
          });
          await store.commit(key, { added: messages('leased'), lease: held('tab-a') });
          await store.commit(key, { added: messages('free') });
          await until(() => heard.length >= 2, 'no watcher heard the appends');
          deepStrictEqual(heard, ['tab-a', undefined]);
        } finally {
          for (const stop of stops) stop();
        }
      },
    ),

    check(
      'retires a key: its messages handed back, every step on it refused, nothing read',
      async (store) => {
        const key = freshKey();
        const successor = freshKey();
        await store.commit(key, { added: messages('one') });
        await store.commit(key, { added: messages('two'), lease: held('tab-a') });
        deepStrictEqual(texts(await store.retire(key, successor, long)), ['one', 'two']);
        deepStrictEqual(await store.peek(key), []);
        const error = await refusal(store, key);
        ok(
          error instanceof RetiredKeyError,
          'a step on a retired key rejects with RetiredKeyError',
        );
        strictEqual(error.successor, successor);
        deepStrictEqual(await store.peek(successor), []);
        deepStrictEqual(await store.retire(key, 'session:other', long), []);
        strictEqual((await refusal(store, key))?.successor, successor, 'the first successor stays');
      },
    ),

    check('names no successor once a retired key stops forwarding', async (store) => {
      const key = freshKey();
      await store.retire(key, 'user:Ada Lovelace', { ttlMs: 60_000, forwardMs: 1 });
      await until(async () => {
        const error = await refusal(store, key);
        return error !== undefined && error.successor === undefined;
      }, 'the key never stopped forwarding');
    }),

    check('takes steps on a key again once its retirement ends', async (store) => {
      const key = freshKey();
      await store.retire(key, 'session:next', { ttlMs: 30, forwardMs: 30 });
      await until(
        async () => (await refusal(store, key)) === undefined,
        'the retirement never ended',
      );
      deepStrictEqual(texts(await store.peek(key)), ['late']);
    }),

    check('tells the watchers of a key that it was retired, once', async (store) => {
      const key = freshKey();
      const sentinel = freshKey();
      const heard: (string | undefined)[] = [];
      let pings = 0;
      const stops = [
        store.watch(key, (heldBy) => heard.push(heldBy)),
        store.watch(sentinel, () => void pings++),
      ];
      try {
        await live(store, sentinel, () => pings);
        await store.retire(key, 'session:next', long);
        await store.retire(key, 'session:again', long);
        // Signals come in the order they were sent: once the sentinel's is in, the key's are.
        const before = pings;
        await store.commit(sentinel, { added: messages('after') });
        await until(() => pings > before, 'the sentinel was not heard');
        deepStrictEqual(heard, [KEY_RETIRED]);
      } finally {
        for (const stop of stops) stop();
      }
    }),

    check(
      'records a token as used once, also when asked at once, until it expires',
      async (store) => {
        const id = `${run}token${++serial}`;
        const firsts = await Promise.all(
          Array.from({ length: 10 }, () => store.markUsed(id, Date.now() + 60_000)),
        );
        strictEqual(firsts.filter(Boolean).length, 1);
        const short = `${run}token${++serial}`;
        strictEqual(await store.markUsed(short, Date.now() + 30), true);
        await until(() => store.markUsed(short, Date.now() + 60_000), 'the token never expired');
      },
    ),
  ];

  /** What a step on `key` adding one message rejects with now (undefined: it succeeded). */
  async function refusal(store: MessageStore, key: string): Promise<RetiredKeyError | undefined> {
    try {
      await store.commit(key, { added: messages('late') });
      return undefined;
    } catch (error) {
      if (error instanceof RetiredKeyError) return error;
      throw error;
    }
  }

  /** Resolves once a watch of `sentinel` hears an append: the store's watches are live. */
  async function live(store: MessageStore, sentinel: string, pings: () => number): Promise<void> {
    await until(async () => {
      await store.commit(sentinel, { added: messages('ping') });
      return pings() > 0;
    }, 'a watch never heard an append');
  }
}

const long = { ttlMs: 60_000, forwardMs: 60_000 };
const texts = (messages: readonly StoredMessage[]) => messages.map((m) => m.message);
const ids = (messages: readonly StoredMessage[]) => messages.map((m) => m.id);
