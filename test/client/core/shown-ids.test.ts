import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { ShownIds } from '../../../client/core/shown-ids.js';
import { MemoryStorage } from '../../fixtures/memory-storage.js';

const STORAGE_KEY = 'trpc-messages:shown';
const REMEMBERED_IN_STORAGE = 200;
const REMEMBERED_IN_MEMORY = 1000;

/** A tab's sessionStorage, in memory. */
const memoryStorage = (entries: Record<string, string> = {}): Storage =>
  new MemoryStorage(Object.entries(entries)).storage;

/** A storage that refuses `operation` as a browser's may (full, or private browsing). */
function refusingStorage(operation: 'getItem' | 'setItem'): Storage {
  const storage = memoryStorage();
  storage[operation] = () => {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  };
  return storage;
}

/** The ids `id-<from>` to `id-<to - 1>`. */
const idsFrom = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `id-${from + i}`);

/** The ids stored in `storage`, as a reload would read them. */
const storedIds = (storage: Storage): unknown => JSON.parse(storage.getItem(STORAGE_KEY) ?? 'null');

describe('has', () => {
  it('knows the ids added, and only those', () => {
    const shown = new ShownIds();
    expect(shown.has('a')).toBe(false);
    shown.add(['a', 'b']);
    expect(shown.has('a')).toBe(true);
    expect(shown.has('b')).toBe(true);
    expect(shown.has('c')).toBe(false);
  });

  it('knows the ids another tab said it showed (added as not local)', () => {
    const shown = new ShownIds();
    shown.add(['elsewhere'], false);
    expect(shown.has('elsewhere')).toBe(true);
  });

  it(`remembers the ${REMEMBERED_IN_MEMORY} newest ids in memory, forgetting the oldest first`, () => {
    const shown = new ShownIds();
    for (const id of idsFrom(0, REMEMBERED_IN_MEMORY)) shown.add([id]);
    expect(shown.has('id-0')).toBe(true);
    shown.add(['id-1000', 'id-1001']);
    expect(shown.has('id-0')).toBe(false);
    expect(shown.has('id-1')).toBe(false);
    for (const id of idsFrom(2, 1002)) expect(shown.has(id), id).toBe(true);
  });

  it('keeps the newest ids of one add that holds more than memory remembers', () => {
    const shown = new ShownIds();
    shown.add(idsFrom(0, REMEMBERED_IN_MEMORY + 500));
    expect(shown.has('id-499')).toBe(false);
    expect(shown.has('id-500')).toBe(true);
    expect(shown.has('id-1499')).toBe(true);
  });
});

describe('ShownIds', () => {
  it('behaves as the distinct ids in the order first added, newest kept, for any adds', () => {
    // Each add is a run of ids that may overlap earlier ones: integers shrink fast.
    const add = fc.record({ from: fc.nat(1500), count: fc.nat(80), local: fc.boolean() });
    const DOMAIN = idsFrom(0, 1581);
    fc.assert(
      // Checked with booleans, not expect: a failure shrinks fast, with no diff at every step.
      fc.property(fc.array(add, { maxLength: 40, size: 'max' }), (adds) => {
        const storage = memoryStorage();
        const shown = new ShownIds(storage);
        const heard: string[][] = [];
        shown.onShown((ids) => heard.push([...ids]));
        // The model: the ids remembered, oldest first, and what the listener should hear.
        const remembered = new Set<string>();
        const news: string[][] = [];
        for (const { from, count, local } of adds) {
          const ids = idsFrom(from, from + count);
          shown.add(ids, local);
          const fresh = ids.filter((i) => !remembered.has(i));
          for (const i of fresh) remembered.add(i);
          for (const oldest of [...remembered].slice(0, -REMEMBERED_IN_MEMORY)) {
            remembered.delete(oldest);
          }
          if (local && fresh.length > 0) news.push(fresh);
        }
        const stored = [...remembered].slice(-REMEMBERED_IN_STORAGE);
        const reloaded = new ShownIds(storage);
        return (
          isDeepStrictEqual(heard, news) &&
          DOMAIN.every((i) => shown.has(i) === remembered.has(i)) &&
          isDeepStrictEqual(storedIds(storage), remembered.size === 0 ? null : stored) &&
          DOMAIN.every((i) => reloaded.has(i) === stored.includes(i))
        );
      }),
      { numRuns: 50 },
    );
  });
});

describe('storage', () => {
  it('remembers the ids across a reload: a new ShownIds over the same storage knows them', () => {
    const storage = memoryStorage();
    new ShownIds(storage).add(['a', 'b']);
    const reloaded = new ShownIds(storage);
    expect(reloaded.has('a')).toBe(true);
    expect(reloaded.has('b')).toBe(true);
    expect(reloaded.has('c')).toBe(false);
  });

  it('remembers across a reload the ids another tab showed', () => {
    const storage = memoryStorage();
    new ShownIds(storage).add(['elsewhere'], false);
    expect(new ShownIds(storage).has('elsewhere')).toBe(true);
  });

  it(`stores at most the ${REMEMBERED_IN_STORAGE} newest ids`, () => {
    const storage = memoryStorage();
    const shown = new ShownIds(storage);
    for (const id of idsFrom(0, 250)) shown.add([id]);
    expect(storedIds(storage)).toEqual(idsFrom(50, 250));
    const reloaded = new ShownIds(storage);
    expect(reloaded.has('id-49')).toBe(false);
    for (const id of idsFrom(50, 250)) expect(reloaded.has(id), id).toBe(true);
    // In memory, the tab that showed them still knows all 250.
    expect(shown.has('id-0')).toBe(true);
  });

  it('keeps the ids read from storage, and adds the new ones after them', () => {
    const storage = memoryStorage({ [STORAGE_KEY]: JSON.stringify(['old-1', 'old-2']) });
    const shown = new ShownIds(storage);
    expect(shown.has('old-1')).toBe(true);
    shown.add(['new']);
    expect(storedIds(storage)).toEqual(['old-1', 'old-2', 'new']);
  });

  it('writes nothing when every id added is known already', () => {
    const storage = memoryStorage();
    const shown = new ShownIds(storage);
    shown.add(['a']);
    const setItem = vi.spyOn(storage, 'setItem');
    shown.add(['a']);
    shown.add([]);
    expect(setItem).not.toHaveBeenCalled();
  });

  it('survives a storage that refuses writes: memory still remembers', () => {
    const storage = refusingStorage('setItem');
    const shown = new ShownIds(storage);
    expect(() => shown.add(['a'])).not.toThrow();
    expect(shown.has('a')).toBe(true);
  });

  it('survives a storage that refuses reads: it starts with nothing remembered', () => {
    const storage = refusingStorage('getItem');
    const shown = new ShownIds(storage);
    expect(shown.has('a')).toBe(false);
    shown.add(['a']);
    expect(shown.has('a')).toBe(true);
  });

  it('survives a storage that holds something other than a list of ids', () => {
    for (const garbage of ['not json', '{"a":1}', '"a"', '42', 'null', '']) {
      const storage = memoryStorage({ [STORAGE_KEY]: garbage });
      const shown = new ShownIds(storage);
      expect(shown.has('a'), garbage).toBe(false);
      shown.add(['fresh']);
      expect(storedIds(storage), garbage).toEqual(['fresh']);
    }
  });

  it('keeps the strings of a stored list and drops the rest', () => {
    const storage = memoryStorage({ [STORAGE_KEY]: JSON.stringify([1, null, 'a', { id: 'b' }]) });
    const shown = new ShownIds(storage);
    expect(shown.has('a')).toBe(true);
    expect(shown.has('b')).toBe(false);
    expect(shown.has('1')).toBe(false);
    shown.add(['fresh']);
    expect(storedIds(storage)).toEqual(['a', 'fresh']);
  });
});

describe('onShown', () => {
  it('tells listeners the ids shown here, only those not known before', () => {
    const shown = new ShownIds();
    const listener = vi.fn();
    shown.onShown(listener);
    shown.add(['a']);
    shown.add(['a', 'b', 'c']);
    shown.add(['b']);
    expect(listener.mock.calls).toEqual([[['a']], [['b', 'c']]]);
  });

  it('tells listeners an id repeated within one add once', () => {
    const shown = new ShownIds();
    const listener = vi.fn();
    shown.onShown(listener);
    shown.add(['a', 'a']);
    expect(listener.mock.calls).toEqual([[['a']]]);
  });

  it('stays silent for the ids another tab showed (added as not local)', () => {
    const shown = new ShownIds();
    const listener = vi.fn();
    shown.onShown(listener);
    shown.add(['elsewhere'], false);
    expect(listener).not.toHaveBeenCalled();
    // Known now: shown here later, it is not news either.
    shown.add(['elsewhere']);
    expect(listener).not.toHaveBeenCalled();
  });

  it('tells every listener, until its stop is called', () => {
    const shown = new ShownIds();
    const first = vi.fn();
    const second = vi.fn();
    const stopFirst = shown.onShown(first);
    shown.onShown(second);
    shown.add(['a']);
    stopFirst();
    shown.add(['b']);
    expect(first.mock.calls).toEqual([[['a']]]);
    expect(second.mock.calls).toEqual([[['a']], [['b']]]);
  });

  it('tells listeners even when storage refuses the write', () => {
    const shown = new ShownIds(refusingStorage('setItem'));
    const listener = vi.fn();
    shown.onShown(listener);
    shown.add(['a']);
    expect(listener).toHaveBeenCalledWith(['a']);
  });
});
