import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  type DropEvent,
  MemoryStore,
  type MemoryStoreOptions,
} from '../../../../server/stores/memory/memory-store.js';
import { INFO } from '../../../../shared/levels.js';
import type { StoredMessage } from '../../../../shared/message.js';
import { runWithGc } from '../../../fixtures/gc-script.js';
import { texts } from '../../../fixtures/texts.js';

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
    await store.commit('a', { added: make('one', 'two') });
    expect(texts(await store.peek('a'))).toEqual(['one', 'two']);
    expect(texts(await store.peek('a'))).toEqual(['one', 'two']);
    expect(store.size).toBe(1);
  });

  it('takes messages away: a second take finds none', async () => {
    const store = new MemoryStore();
    await store.commit('a', { added: make('one', 'two') });
    expect(texts(await store.commit('a', { handOut: 'take' }))).toEqual(['one', 'two']);
    expect(await store.commit('a', { handOut: 'take' })).toEqual([]);
    expect(await store.peek('a')).toEqual([]);
    expect(store.size).toBe(0);
  });

  it('keeps appended messages in order, after those already held', async () => {
    const store = new MemoryStore();
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
    const store = new MemoryStore();
    await store.commit('a', { added: make('for a') });
    await store.commit('b', { added: make('for b') });
    expect(texts(await store.commit('a', { handOut: 'take' }))).toEqual(['for a']);
    expect(texts(await store.commit('b', { handOut: 'take' }))).toEqual(['for b']);
  });

  it('reads an unknown key as empty without creating it', async () => {
    const store = new MemoryStore();
    expect(await store.peek('nobody')).toEqual([]);
    expect(await store.commit('nobody', { handOut: 'take' })).toEqual([]);
    expect(store.size).toBe(0);
  });

  it('does not create a key for an empty append', async () => {
    const store = new MemoryStore();
    await store.commit('a', { added: [] });
    expect(store.size).toBe(0);
  });

  it('is not changed by a caller mutating the arrays it passed in or got back', async () => {
    const store = new MemoryStore();
    const appended = make('one');
    await store.commit('a', { added: appended });
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
    await store.commit('a', { added: a });
    await store.commit('b', { added: make('b') });
    await store.commit('c', { added: make('c') });
    await store.commit('d', { added: make('d') });
    expect(drops).toEqual([{ key: 'a', messages: a, reason: 'evicted' }]);
    expect(await store.peek('a')).toEqual([]);
    expect(store.size).toBe(3);
  });

  it('evicts the least recently used keys when the messages pass maxBytes in all', async () => {
    const { store, drops } = recordingStore({ maxBytes: 10_000 });
    const big = (name: string) => make(name.repeat(2000));
    await store.commit('a', { added: big('a') });
    await store.commit('b', { added: big('b') });
    expect(drops).toEqual([]);
    await store.commit('c', { added: big('c') });
    expect(drops.map((d) => [d.key, d.reason])).toEqual([['a', 'evicted']]);
    expect(store.bytes).toBeLessThanOrEqual(10_000);
    expect(texts(await store.peek('c'))).toEqual(['c'.repeat(2000)]);
  });

  it('counts against maxBytes what a message weighs in its parameters, action and key, not its text alone', async () => {
    const heavy: StoredMessage[] = [
      {
        id: 'p',
        level: INFO,
        message: '',
        extraTags: '',
        translation: { key: 'task.created', params: { title: 't'.repeat(4000) } },
      },
      {
        id: 'a',
        level: INFO,
        message: 'Deleted.',
        extraTags: '',
        action: {
          label: 'Undo',
          path: 'tasks.restore',
          input: 'i'.repeat(4000),
          expiresAt: 0,
          token: 't',
        },
      },
      {
        id: 'k',
        level: INFO,
        message: 'Saved.',
        extraTags: 'e'.repeat(4000),
        key: 'k'.repeat(128),
      },
    ];
    for (const message of heavy) {
      const { store, drops } = recordingStore({ maxBytes: 20_000 });
      await store.commit('a', { added: [message] });
      await store.commit('b', { added: [{ ...message, id: `${message.id}2` }] });
      expect(store.bytes, message.id).toBeGreaterThan(16_000);
      await store.commit('c', { added: [{ ...message, id: `${message.id}3` }] });
      expect(
        drops.map((d) => [d.key, d.reason]),
        message.id,
      ).toEqual([['a', 'evicted']]);
    }
  });

  it('keeps the heap within 1.5 times maxBytes, whatever part of its messages their weight is in', async () => {
    const { maxBytes, growth } = await runWithGc<{
      maxBytes: number;
      growth: Record<string, { heapBytes: number }>;
    }>(new URL('./memory-store-heap.script.ts', import.meta.url));
    expect(Object.keys(growth)).toHaveLength(4);
    for (const [shape, { heapBytes }] of Object.entries(growth)) {
      expect(heapBytes, shape).toBeLessThanOrEqual(1.5 * maxBytes);
    }
  }, 60_000);

  it('keeps the key just written even when it alone passes maxBytes', async () => {
    const { store } = recordingStore({ maxBytes: 1_000 });
    await store.commit('a', { added: make('x'.repeat(2000)) });
    expect(store.size).toBe(1);
  });

  it('counts bytes back to zero once every key is taken', async () => {
    const { store } = recordingStore();
    await store.commit('a', { added: make('one', 'two') });
    await store.commit('b', { added: make('three') });
    expect(store.bytes).toBeGreaterThan(0);
    await store.commit('a', { handOut: 'take' });
    await store.commit('b', { handOut: 'take' });
    expect(store.bytes).toBe(0);
  });

  it('counts the bytes of what a key holds after its oldest messages overflowed', async () => {
    const trimmed = new MemoryStore({ maxMessagesPerKey: 2 });
    for (const text of ['a long first message', 'two', 'three'])
      await trimmed.commit('a', { added: make(text) });
    const fresh = new MemoryStore();
    await fresh.commit('a', { added: make('two', 'three') });
    expect(trimmed.bytes).toBe(fresh.bytes);
    await trimmed.commit('a', { handOut: 'take' });
    expect(trimmed.bytes).toBe(0);
  });

  it('counts a peek as a use, so the key peeked at is not the one evicted', async () => {
    const { store, drops } = recordingStore({ maxKeys: 3 });
    await store.commit('a', { added: make('a') });
    const b = make('b');
    await store.commit('b', { added: b });
    await store.commit('c', { added: make('c') });
    await store.peek('a');
    await store.commit('d', { added: make('d') });
    expect(drops).toEqual([{ key: 'b', messages: b, reason: 'evicted' }]);
    expect(texts(await store.peek('a'))).toEqual(['a']);
  });

  it('counts an append as a use, so the key appended to is not the one evicted', async () => {
    const { store, drops } = recordingStore({ maxKeys: 3 });
    const a = make('a');
    await store.commit('a', { added: a });
    const b = make('b');
    await store.commit('b', { added: b });
    await store.commit('c', { added: make('c') });
    await store.commit('a', { added: make('a again') });
    await store.commit('d', { added: make('d') });
    expect(drops).toEqual([{ key: 'b', messages: b, reason: 'evicted' }]);
    expect(texts(await store.peek('a'))).toEqual(['a', 'a again']);
  });

  it('drops the oldest messages of a key past maxMessagesPerKey, reporting an overflow', async () => {
    const { store, drops } = recordingStore({ maxMessagesPerKey: 3 });
    const five = make('1', '2', '3', '4', '5');
    await store.commit('a', { added: five });
    expect(texts(await store.peek('a'))).toEqual(['3', '4', '5']);
    expect(drops).toEqual([{ key: 'a', messages: five.slice(0, 2), reason: 'overflow' }]);
  });

  it('reports each overflow of successive appends as it happens', async () => {
    const { store, drops } = recordingStore({ maxMessagesPerKey: 3 });
    const five = make('1', '2', '3', '4', '5');
    for (const message of five) await store.commit('a', { added: [message] });
    expect(texts(await store.commit('a', { handOut: 'take' }))).toEqual(['3', '4', '5']);
    expect(drops).toEqual([
      { key: 'a', messages: [five[0]], reason: 'overflow' },
      { key: 'a', messages: [five[1]], reason: 'overflow' },
    ]);
  });

  it('does not report a drop when messages are taken, replaced by an append, or read', async () => {
    const { store, drops } = recordingStore({ maxKeys: 3, maxMessagesPerKey: 3 });
    await store.commit('a', { added: make('1') });
    await store.commit('a', { added: make('2') });
    await store.peek('a');
    await store.commit('a', { handOut: 'take' });
    await store.commit('a', { handOut: 'take' });
    await store.commit('b', { added: make('3') });
    await store.commit('b', { added: make('4', '5') });
    expect(drops).toEqual([]);
  });

  it('expires a key ttlMs after it was written: it reads as empty and is reported', async () => {
    const { store, drops } = recordingStore({ ttlMs: 30 });
    const messages = make('soon gone');
    await store.commit('a', { added: messages });
    // Real time, not fake timers: the test holds whichever clock the store reads.
    await sleep(60);
    expect(await store.peek('a')).toEqual([]);
    expect(drops).toEqual([{ key: 'a', messages, reason: 'expired' }]);
    expect(await store.commit('a', { handOut: 'take' })).toEqual([]);
    expect(drops).toHaveLength(1);
  });

  it('reports expired messages found by an append, and keeps only the new ones', async () => {
    const { store, drops } = recordingStore({ ttlMs: 30 });
    const old = make('old');
    await store.commit('a', { added: old });
    await sleep(60);
    await store.commit('a', { added: make('new') });
    expect(drops).toEqual([{ key: 'a', messages: old, reason: 'expired' }]);
    expect(texts(await store.commit('a', { handOut: 'take' }))).toEqual(['new']);
  });

  it('restarts the time to live on an append, but not on a peek', async () => {
    // The clocks a store may read, faked: two waits that must each stay under the time to live
    // and together pass it cannot be real ones on a loaded machine.
    vi.useFakeTimers({ toFake: ['Date', 'performance'] });
    try {
      const store = new MemoryStore({ ttlMs: 300 });
      await store.commit('appended', { added: make('1') });
      await store.commit('peeked', { added: make('1') });
      vi.advanceTimersByTime(160);
      await store.commit('appended', { added: make('2') });
      await store.peek('peeked');
      vi.advanceTimersByTime(160);
      expect(texts(await store.peek('appended'))).toEqual(['1', '2']);
      expect(await store.peek('peeked')).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
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
          taken.push(...texts(await store.commit('k', { handOut: 'take' })));
        } else {
          const batch = make(`${i}a`, `${i}b`);
          appended.push(...texts(batch));
          await store.commit('k', { added: batch });
        }
      }),
    );
    const left = texts(await store.commit('k', { handOut: 'take' }));
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
                await store.commit(operation.key, { added: batch });
              } else if (operation.op === 'take') {
                model.delete(operation.key);
                expect(
                  (await store.commit(operation.key, { handOut: 'take' })).map((m) => m.id),
                ).toEqual(held);
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
