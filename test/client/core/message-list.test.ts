import { describe, expect, it, vi } from 'vitest';
import { MessageList } from '../../../client/core/message-list.js';
import { ShownIds } from '../../../client/core/shown-ids.js';
import { INFO, SUCCESS } from '../../../shared/levels.js';
import type { Message } from '../../../shared/message.js';
import { MemoryStorage } from '../../fixtures/memory-storage.js';

/** A message as the server would send it, identified by `id`. */
function message(id: string, text = `Message ${id}.`): Message {
  return { id, level: SUCCESS, message: text, extraTags: '', levelTag: 'success', tags: 'success' };
}

const ids = (list: MessageList) => list.getSnapshot().map((m) => m.id);

describe('push', () => {
  it('adds each id once: pushing the same ids again adds nothing', () => {
    const list = new MessageList();
    expect(list.push([message('a'), message('b')]).map((m) => m.id)).toEqual(['a', 'b']);
    // StrictMode's double effect, a refetch, a second consumer: the same ids arrive again.
    expect(list.push([message('a'), message('b')])).toEqual([]);
    expect(ids(list)).toEqual(['a', 'b']);
  });

  it('adds only the new ids of a push that mixes new and seen ones', () => {
    const list = new MessageList();
    list.push([message('a')]);
    expect(list.push([message('a'), message('b')]).map((m) => m.id)).toEqual(['b']);
    expect(ids(list)).toEqual(['a', 'b']);
  });

  it('adds an id repeated within one push once', () => {
    const list = new MessageList();
    expect(list.push([message('a'), message('a')]).map((m) => m.id)).toEqual(['a']);
    expect(ids(list)).toEqual(['a']);
  });

  it('keeps the order messages arrived in, within and across pushes', () => {
    const list = new MessageList();
    list.push([message('c'), message('a')]);
    list.push([message('b')]);
    expect(ids(list)).toEqual(['c', 'a', 'b']);
  });

  it('keeps messages pushed before anything subscribes, for a later subscriber', () => {
    const list = new MessageList();
    list.push([message('early', 'Queued before mount.')]);
    const listener = vi.fn();
    list.subscribe(listener);
    expect(list.getSnapshot().map((m) => m.message)).toEqual(['Queued before mount.']);
    expect(listener).not.toHaveBeenCalled();
    list.push([message('late')]);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(ids(list)).toEqual(['early', 'late']);
  });
});

describe('getSnapshot', () => {
  it('returns the same array until something changes', () => {
    const list = new MessageList();
    const empty = list.getSnapshot();
    expect(list.getSnapshot()).toBe(empty);
    list.push([message('a')]);
    const one = list.getSnapshot();
    expect(one).not.toBe(empty);
    expect(list.getSnapshot()).toBe(one);
    // Changes that change nothing keep the array.
    list.push([message('a')]);
    list.push([]);
    list.dismiss('unknown');
    expect(list.getSnapshot()).toBe(one);
    list.dismiss('a');
    expect(list.getSnapshot()).not.toBe(one);
    expect(list.getSnapshot()).toEqual([]);
  });

  it('never changes an array it handed out', () => {
    const list = new MessageList();
    list.push([message('a')]);
    const before = list.getSnapshot();
    list.push([message('b')]);
    list.dismiss('a');
    expect(before.map((m) => m.id)).toEqual(['a']);
  });
});

describe('dismiss', () => {
  it('removes the message, which never comes back', () => {
    const list = new MessageList();
    list.push([message('a'), message('b')]);
    list.dismiss('a');
    expect(ids(list)).toEqual(['b']);
    expect(list.push([message('a')])).toEqual([]);
    expect(ids(list)).toEqual(['b']);
  });

  it('works detached from the list, as hooks hand it out', () => {
    const list = new MessageList();
    list.push([message('a')]);
    const { dismiss } = list;
    dismiss('a');
    expect(ids(list)).toEqual([]);
  });
});

describe('subscribe', () => {
  it('calls every listener once per change and not for changes that change nothing', () => {
    const list = new MessageList();
    const first = vi.fn();
    const second = vi.fn();
    list.subscribe(first);
    list.subscribe(second);
    list.push([message('a'), message('b')]);
    expect(first).toHaveBeenCalledTimes(1);
    list.push([message('a')]);
    list.dismiss('unknown');
    expect(first).toHaveBeenCalledTimes(1);
    list.dismiss('a');
    expect(first).toHaveBeenCalledTimes(2);
    expect(second).toHaveBeenCalledTimes(2);
  });

  it('lets the listener read the new snapshot when it is called', () => {
    const list = new MessageList();
    const seen: string[][] = [];
    list.subscribe(() => seen.push(ids(list)));
    list.push([message('a')]);
    list.dismiss('a');
    expect(seen).toEqual([['a'], []]);
  });

  it('stops calling a listener once unsubscribed, leaving the others', () => {
    const list = new MessageList();
    const stopped = vi.fn();
    const kept = vi.fn();
    const unsubscribe = list.subscribe(stopped);
    list.subscribe(kept);
    unsubscribe();
    unsubscribe();
    list.push([message('a')]);
    expect(stopped).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledTimes(1);
  });
});

describe('remembered ids (at most 1000)', () => {
  const many = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => message(String(from + i)));

  it('keeps showing every message past the bound, and still refuses the recent ids', () => {
    const list = new MessageList();
    list.push(many(0, 1001));
    expect(list.getSnapshot()).toHaveLength(1001);
    for (const m of many(0, 1001)) list.dismiss(m.id);
    // The 1000 most recent ids are remembered: a refetch of them adds nothing.
    expect(list.push(many(1, 1001))).toEqual([]);
    expect(list.getSnapshot()).toEqual([]);
  });

  it('forgets the oldest dismissed id past the bound', () => {
    const list = new MessageList();
    list.push(many(0, 1001));
    for (const m of many(0, 1001)) list.dismiss(m.id);
    // The bound is what keeps memory flat; an id fetched again after 1000 newer ones shows again.
    expect(list.push([message('0')]).map((m) => m.id)).toEqual(['0']);
  });

  it('never shows a message twice, even once its id is forgotten while it is on show', () => {
    const list = new MessageList();
    list.push(many(0, 1001));
    // '0' is past the bound but still on show.
    expect(list.push([message('0')])).toEqual([]);
    expect(ids(list).filter((id) => id === '0')).toEqual(['0']);
    expect(list.getSnapshot()).toHaveLength(1001);
  });

  it('stays correct over many pushes, one id at a time', () => {
    const list = new MessageList();
    for (let i = 0; i < 2500; i += 1) {
      list.push([message(String(i))]);
      list.push([message(String(i))]);
      if (i % 2 === 0) list.dismiss(String(i));
    }
    const shown = ids(list);
    expect(shown).toHaveLength(1250);
    expect(new Set(shown).size).toBe(1250);
    expect(shown.every((id) => Number(id) % 2 === 1)).toBe(true);
    // Every recent dismissed id is still refused.
    expect(list.push(many(1600, 2500))).toEqual([]);
  });
});

describe('repeats', () => {
  it('lists identical messages that arrive while one is listed as one entry, counted, in place', () => {
    const list = new MessageList();
    list.push([message('a', 'Saved.'), message('b', 'Other.')]);
    const [first] = list.getSnapshot();

    expect(list.push([message('c', 'Saved.')])).toEqual([
      { ...message('c', 'Saved.'), id: 'a', count: 2, ids: ['a', 'c'] },
    ]);
    list.push([message('d', 'Saved.')]);

    expect(list.getSnapshot().map(({ id, count, ids }) => ({ id, count, ids }))).toEqual([
      { id: 'a', count: 3, ids: ['a', 'c', 'd'] },
      { id: 'b', count: 1, ids: ['b'] },
    ]);
    // The entry keeps its id (a React key, the toast's id) and its place; the array is new.
    expect(first?.count).toBe(1);
  });

  it('counts the repeats within one push', () => {
    const list = new MessageList();
    list.push([message('a', 'Saved.'), message('b', 'Saved.'), message('c', 'Saved.')]);
    expect(list.getSnapshot().map(({ count, ids }) => ({ count, ids }))).toEqual([
      { count: 3, ids: ['a', 'b', 'c'] },
    ]);
  });

  it('lists a repeat as a new entry once the first was dismissed', () => {
    const list = new MessageList();
    list.push([message('a', 'Saved.')]);
    list.dismiss('a');
    list.push([message('b', 'Saved.')]);
    expect(list.getSnapshot().map(({ id, count }) => ({ id, count }))).toEqual([
      { id: 'b', count: 1 },
    ]);
  });

  it('keeps apart messages that differ in level, text, tags or translation, or offer an action', () => {
    const base = message('a', 'Saved.');
    const action = { label: 'Undo', path: 'tasks.restore', input: 1, expiresAt: 0, token: 't' };
    const list = new MessageList();
    list.push([
      base,
      { ...base, id: 'level', level: INFO },
      { ...base, id: 'text', message: 'Saved!' },
      { ...base, id: 'tags', extraTags: 'big', tags: 'big success' },
      { ...base, id: 'translated', translation: { key: 'saved', params: {} } },
      { ...base, id: 'other-params', translation: { key: 'saved', params: { n: 1 } } },
      { ...base, id: 'action-1', action },
      { ...base, id: 'action-2', action },
    ]);
    expect(list.getSnapshot().map((m) => m.count)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('counts repeats of a message given by key with the same parameters', () => {
    const translation = { key: 'saved', params: { title: 'Report' } };
    const list = new MessageList();
    const saved = 'Task "Report" saved.';
    list.push([
      { ...message('a', saved), translation },
      { ...message('b', saved), translation },
    ]);
    expect(list.getSnapshot().map((m) => m.count)).toEqual([2]);
  });
});

describe('keys', () => {
  const step = (id: string, text: string, key = 'export'): Message => ({
    ...message(id, text),
    level: INFO,
    levelTag: 'info',
    tags: 'info',
    key,
  });

  it('puts a message with a key in the place of the entry with that key, keeping its id', () => {
    const list = new MessageList();
    list.push([step('a', 'Export 40%…'), message('x', 'Saved.')]);

    list.push([{ ...step('b', 'Export ready.'), level: SUCCESS, levelTag: 'success' }]);

    expect(list.getSnapshot()).toEqual([
      {
        ...step('b', 'Export ready.'),
        level: SUCCESS,
        levelTag: 'success',
        id: 'a',
        count: 1,
        ids: ['a', 'b'],
      },
      { ...message('x', 'Saved.'), count: 1, ids: ['x'] },
    ]);
  });

  it('lists only the last of a key among the ten one push brings', () => {
    const list = new MessageList();
    const steps = Array.from({ length: 10 }, (_, i) => step(`s${i}`, `Export ${(i + 1) * 10}%…`));
    list.push(steps);
    expect(list.getSnapshot().map(({ message: text, ids }) => ({ text, ids }))).toEqual([
      { text: 'Export 100%…', ids: steps.map((m) => m.id) },
    ]);
  });

  it('keeps entries of other keys, and messages without one, apart', () => {
    const list = new MessageList();
    list.push([
      step('a', 'Export 10%…'),
      step('b', 'Import 10%…', 'import'),
      message('c', 'Export 10%…'),
    ]);
    list.push([step('d', 'Export 20%…')]);
    expect(list.getSnapshot().map((m) => m.message)).toEqual([
      'Export 20%…',
      'Import 10%…',
      'Export 10%…',
    ]);
  });

  it('takes the action of the message that replaces, and drops the one replaced', () => {
    const action = { label: 'Undo', path: 'tasks.restore', input: 1, expiresAt: 0, token: 't' };
    const list = new MessageList();
    list.push([{ ...step('a', 'Deleted.'), action }]);
    list.push([step('b', 'Restored.')]);
    expect(list.getSnapshot()[0]?.action).toBeUndefined();
  });
});

describe('shown', () => {
  it('remembers every id an entry stands for, and tells onShown each once', () => {
    const storage = new MemoryStorage();
    const told: string[][] = [];
    const list = new MessageList(new ShownIds(storage.storage), (ids) => told.push([...ids]));
    list.push([message('a', 'Saved.'), message('b', 'Saved.')]);
    list.shown(list.getSnapshot().flatMap((m) => m.ids));
    list.push([message('c', 'Saved.')]);
    list.shown(list.getSnapshot().flatMap((m) => m.ids));

    expect(told).toEqual([['a', 'b'], ['c']]);
    // The tab after a reload: none of them is listed again.
    const reloaded = new MessageList(new ShownIds(storage.storage));
    expect(reloaded.push([message('a'), message('b'), message('c')])).toEqual([]);
  });

  it('remembers a replaced message as shown once the entry that replaced it is', () => {
    const storage = new MemoryStorage();
    const list = new MessageList(new ShownIds(storage.storage));
    list.push([
      { ...message('a', 'Export 10%…'), key: 'export' },
      { ...message('b', 'Export 20%…'), key: 'export' },
    ]);
    // Pushed but not yet drawn: a reload would list them again.
    expect(new ShownIds(storage.storage).has('a')).toBe(false);

    list.shown(list.getSnapshot().flatMap((m) => m.ids));

    expect(['a', 'b'].map((id) => new ShownIds(storage.storage).has(id))).toEqual([true, true]);
  });
});
