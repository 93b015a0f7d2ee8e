import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DropEvent,
  MemoryStore,
  type MemoryStoreOptions,
} from '../../../server/storage/memory-store.js';
import { INFO } from '../../../shared/levels.js';
import type { StoredMessage } from '../../../shared/message.js';
import { texts } from '../../fixtures/texts.js';

let nextId = 0;
/** Stored messages with fresh ids, the given texts. */
const make = (...texts: string[]): StoredMessage[] =>
  texts.map((message) => ({ id: `m${++nextId}`, level: INFO, message, extraTags: '' }));

/** A store that records what it dropped. */
function recordingStore(options: Omit<MemoryStoreOptions, 'onDrop'> = {}) {
  const drops: DropEvent[] = [];
  const store = new MemoryStore({ ...options, onDrop: (event) => drops.push(event) });
  return { store, drops };
}

describe('MemoryStore reads and writes', () => {
  it('peeks at messages without removing them', async () => {
    const store = new MemoryStore();
    await store.append('a', make('one', 'two'));
    expect(texts(await store.peek('a'))).toEqual(['one', 'two']);
    expect(texts(await store.peek('a'))).toEqual(['one', 'two']);
    expect(store.size).toBe(1);
  });

  it('takes messages away: a second take finds none', async () => {
    const store = new MemoryStore();
    await store.append('a', make('one', 'two'));
    expect(texts(await store.take('a'))).toEqual(['one', 'two']);
    expect(await store.take('a')).toEqual([]);
    expect(await store.peek('a')).toEqual([]);
    expect(store.size).toBe(0);
  });

  it('keeps appended messages in order, after those already held', async () => {
    const store = new MemoryStore();
    await store.append('a', make('one'));
    await store.append('a', make('two', 'three'));
    await store.append('a', make('four'));
    expect(texts(await store.take('a'))).toEqual(['one', 'two', 'three', 'four']);
  });

  it('keeps the messages of different keys apart', async () => {
    const store = new MemoryStore();
    await store.append('a', make('for a'));
    await store.append('b', make('for b'));
    expect(texts(await store.take('a'))).toEqual(['for a']);
    expect(texts(await store.take('b'))).toEqual(['for b']);
  });

  it('reads an unknown key as empty without creating it', async () => {
    const store = new MemoryStore();
    expect(await store.peek('nobody')).toEqual([]);
    expect(await store.take('nobody')).toEqual([]);
    expect(store.size).toBe(0);
  });

  it('does not create a key for an empty append', async () => {
    const store = new MemoryStore();
    await store.append('a', []);
    expect(store.size).toBe(0);
  });

  it('is not changed by a caller mutating the arrays it passed in or got back', async () => {
    const store = new MemoryStore();
    const appended = make('one');
    await store.append('a', appended);
    appended.push(...make('intruder'));
    const peeked = await store.peek('a');
    peeked.length = 0;
    expect(texts(await store.peek('a'))).toEqual(['one']);
  });
});

describe('MemoryStore bounds', () => {
  it('evicts the least recently used key when a key past maxKeys arrives', async () => {
    const { store, drops } = recordingStore({ maxKeys: 3 });
    const a = make('a');
    await store.append('a', a);
    await store.append('b', make('b'));
    await store.append('c', make('c'));
    await store.append('d', make('d'));
    expect(drops).toEqual([{ key: 'a', messages: a, reason: 'evicted' }]);
    expect(await store.peek('a')).toEqual([]);
    expect(store.size).toBe(3);
  });

  it('evicts the least recently used keys when the messages pass maxBytes in all', async () => {
    const { store, drops } = recordingStore({ maxBytes: 10_000 });
    const big = (name: string) => make(name.repeat(2000));
    await store.append('a', big('a'));
    await store.append('b', big('b'));
    expect(drops).toEqual([]);
    await store.append('c', big('c'));
    expect(drops.map((d) => [d.key, d.reason])).toEqual([['a', 'evicted']]);
    expect(store.bytes).toBeLessThanOrEqual(10_000);
    expect(texts(await store.peek('c'))).toEqual(['c'.repeat(2000)]);
  });

  it('keeps the key just written even when it alone passes maxBytes', async () => {
    const { store } = recordingStore({ maxBytes: 1_000 });
    await store.append('a', make('x'.repeat(2000)));
    expect(store.size).toBe(1);
  });

  it('counts bytes back to zero once every key is taken', async () => {
    const { store } = recordingStore();
    await store.append('a', make('one', 'two'));
    await store.append('b', make('three'));
    expect(store.bytes).toBeGreaterThan(0);
    await store.take('a');
    await store.take('b');
    expect(store.bytes).toBe(0);
  });

  it('counts the bytes of what a key holds after its oldest messages overflowed', async () => {
    const trimmed = new MemoryStore({ maxMessagesPerKey: 2 });
    for (const text of ['a long first message', 'two', 'three'])
      await trimmed.append('a', make(text));
    const fresh = new MemoryStore();
    await fresh.append('a', make('two', 'three'));
    expect(trimmed.bytes).toBe(fresh.bytes);
    await trimmed.take('a');
    expect(trimmed.bytes).toBe(0);
  });

  it('counts a peek as a use, so the key peeked at is not the one evicted', async () => {
    const { store, drops } = recordingStore({ maxKeys: 3 });
    await store.append('a', make('a'));
    const b = make('b');
    await store.append('b', b);
    await store.append('c', make('c'));
    await store.peek('a');
    await store.append('d', make('d'));
    expect(drops).toEqual([{ key: 'b', messages: b, reason: 'evicted' }]);
    expect(texts(await store.peek('a'))).toEqual(['a']);
  });

  it('counts an append as a use, so the key appended to is not the one evicted', async () => {
    const { store, drops } = recordingStore({ maxKeys: 3 });
    const a = make('a');
    await store.append('a', a);
    const b = make('b');
    await store.append('b', b);
    await store.append('c', make('c'));
    await store.append('a', make('a again'));
    await store.append('d', make('d'));
    expect(drops).toEqual([{ key: 'b', messages: b, reason: 'evicted' }]);
    expect(texts(await store.peek('a'))).toEqual(['a', 'a again']);
  });

  it('drops the oldest messages of a key past maxMessagesPerKey, reporting an overflow', async () => {
    const { store, drops } = recordingStore({ maxMessagesPerKey: 3 });
    const five = make('1', '2', '3', '4', '5');
    await store.append('a', five);
    expect(texts(await store.peek('a'))).toEqual(['3', '4', '5']);
    expect(drops).toEqual([{ key: 'a', messages: five.slice(0, 2), reason: 'overflow' }]);
  });

  it('reports each overflow of successive appends as it happens', async () => {
    const { store, drops } = recordingStore({ maxMessagesPerKey: 3 });
    const five = make('1', '2', '3', '4', '5');
    for (const message of five) await store.append('a', [message]);
    expect(texts(await store.take('a'))).toEqual(['3', '4', '5']);
    expect(drops).toEqual([
      { key: 'a', messages: [five[0]], reason: 'overflow' },
      { key: 'a', messages: [five[1]], reason: 'overflow' },
    ]);
  });

  it('does not report a drop when messages are taken, replaced by an append, or read', async () => {
    const { store, drops } = recordingStore({ maxKeys: 3, maxMessagesPerKey: 3 });
    await store.append('a', make('1'));
    await store.append('a', make('2'));
    await store.peek('a');
    await store.take('a');
    await store.take('a');
    await store.append('b', make('3'));
    await store.append('b', make('4', '5'));
    expect(drops).toEqual([]);
  });

  it('expires a key ttlMs after it was written: it reads as empty and is reported', async () => {
    const { store, drops } = recordingStore({ ttlMs: 30 });
    const messages = make('soon gone');
    await store.append('a', messages);
    // Real time, not fake timers: the test holds whichever clock the store reads.
    await sleep(60);
    expect(await store.peek('a')).toEqual([]);
    expect(drops).toEqual([{ key: 'a', messages, reason: 'expired' }]);
    expect(await store.take('a')).toEqual([]);
    expect(drops).toHaveLength(1);
  });

  it('reports expired messages found by an append, and keeps only the new ones', async () => {
    const { store, drops } = recordingStore({ ttlMs: 30 });
    const old = make('old');
    await store.append('a', old);
    await sleep(60);
    await store.append('a', make('new'));
    expect(drops).toEqual([{ key: 'a', messages: old, reason: 'expired' }]);
    expect(texts(await store.take('a'))).toEqual(['new']);
  });

  it('restarts the time to live on an append, but not on a peek', async () => {
    const store = new MemoryStore({ ttlMs: 300 });
    await store.append('appended', make('1'));
    await store.append('peeked', make('1'));
    await sleep(160);
    await store.append('appended', make('2'));
    await store.peek('peeked');
    await sleep(160);
    expect(texts(await store.peek('appended'))).toEqual(['1', '2']);
    expect(await store.peek('peeked')).toEqual([]);
  });

  it.each(['maxKeys', 'ttlMs', 'maxMessagesPerKey'] as const)(
    'rejects a %s that is not a positive integer, naming it',
    (option) => {
      for (const value of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => new MemoryStore({ [option]: value })).toThrow(RangeError);
        expect(() => new MemoryStore({ [option]: value })).toThrow(option);
      }
    },
  );
});

describe('MemoryStore under concurrency', () => {
  it('loses and duplicates nothing under 100 interleaved appends and takes of one key', async () => {
    const store = new MemoryStore({ maxMessagesPerKey: 1000 });
    const appended: string[] = [];
    const taken: string[] = [];
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        // Spread the operations over several turns of the event loop.
        for (let turn = 0; turn < i % 7; turn++) await new Promise(setImmediate);
        if (i % 3 === 0) {
          taken.push(...texts(await store.take('k')));
        } else {
          const batch = make(`${i}a`, `${i}b`);
          appended.push(...texts(batch));
          await store.append('k', batch);
        }
      }),
    );
    const left = texts(await store.take('k'));
    const delivered = [...taken, ...left];
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(new Set(delivered)).toEqual(new Set(appended));
  });

  it('behaves like a plain map of lists for any sequence of operations', async () => {
    const operation = fc.oneof(
      fc.record({
        op: fc.constant('append' as const),
        key: fc.constantFrom('a', 'b'),
        n: fc.nat(3),
      }),
      fc.record({
        op: fc.constantFrom('take' as const, 'peek' as const),
        key: fc.constantFrom('a', 'b'),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { maxLength: 40 }), fc.scheduler(), async (ops, s) => {
        const store = new MemoryStore({ maxMessagesPerKey: 1000 });
        const model = new Map<string, string[]>();
        const results: Promise<void>[] = [];
        for (const operation of ops) {
          // The model runs in the order the scheduler lets the store calls through.
          results.push(
            s.schedule(Promise.resolve(), operation.op).then(async () => {
              const held = model.get(operation.key) ?? [];
              if (operation.op === 'append') {
                const batch = make(...Array.from({ length: operation.n }, (_, i) => `${i}`));
                model.set(operation.key, [...held, ...batch.map((m) => m.id)]);
                await store.append(operation.key, batch);
              } else if (operation.op === 'take') {
                model.delete(operation.key);
                expect((await store.take(operation.key)).map((m) => m.id)).toEqual(held);
              } else {
                expect((await store.peek(operation.key)).map((m) => m.id)).toEqual(held);
              }
            }),
          );
        }
        await s.waitAll();
        await Promise.all(results);
        for (const key of ['a', 'b']) {
          expect((await store.peek(key)).map((m) => m.id)).toEqual(model.get(key) ?? []);
        }
      }),
      { numRuns: 100 },
    );
  });
});
