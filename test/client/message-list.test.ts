import { describe, expect, it, vi } from 'vitest';
import { MessageList } from '../../client/message-list.js';
import { SUCCESS } from '../../shared/levels.js';
import type { Message } from '../../shared/message.js';

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
