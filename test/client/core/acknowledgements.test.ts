import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Acknowledgements } from '../../../client/core/acknowledgements.js';
import { MAX_ACKS } from '../../../shared/delivery.js';

const LEASE_MS = 5000;

/** The ids `id-<from>` to `id-<to - 1>`. */
const idsFrom = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `id-${from + i}`);

/** Acknowledgements whose flush, as the client's does, sends a request that takes them. */
function acknowledgements() {
  const flushed: string[][] = [];
  const acks: Acknowledgements = new Acknowledgements(() => flushed.push(acks.take()));
  return { acks, flushed };
}

describe('take', () => {
  it('gives the queued ids in order, then nothing', () => {
    const { acks } = acknowledgements();
    acks.add(['a', 'b'], LEASE_MS);
    acks.add(['c'], LEASE_MS);
    expect(acks.take()).toEqual(['a', 'b', 'c']);
    expect(acks.take()).toEqual([]);
  });

  it('gives each id once, however often it was added', () => {
    const { acks } = acknowledgements();
    acks.add(['a', 'b'], LEASE_MS);
    acks.add(['b', 'c', 'a'], LEASE_MS);
    expect(acks.take()).toEqual(['a', 'b', 'c']);
  });

  it('gives an id repeated within one add once', () => {
    const { acks } = acknowledgements();
    acks.add(['a', 'a'], LEASE_MS);
    expect(acks.take()).toEqual(['a']);
  });

  it(`gives at most ${MAX_ACKS} ids; the rest wait for the next take`, () => {
    const { acks } = acknowledgements();
    acks.add(idsFrom(0, 250), LEASE_MS);
    expect(acks.take()).toEqual(idsFrom(0, 100));
    expect(acks.pending).toBe(true);
    expect(acks.take()).toEqual(idsFrom(100, 200));
    expect(acks.take()).toEqual(idsFrom(200, 250));
    expect(acks.pending).toBe(false);
    expect(acks.take()).toEqual([]);
  });

  it('can queue again an id it gave before (the server asked for it again)', () => {
    const { acks } = acknowledgements();
    acks.add(['a'], LEASE_MS);
    acks.take();
    acks.add(['a'], LEASE_MS);
    expect(acks.take()).toEqual(['a']);
  });
});

describe('restore', () => {
  it('puts back the ids a failed request took, ahead of those queued since', () => {
    const { acks } = acknowledgements();
    acks.add(['a', 'b'], LEASE_MS);
    const taken = acks.take();
    acks.add(['c'], LEASE_MS);
    acks.restore(taken);
    expect(acks.take()).toEqual(['a', 'b', 'c']);
  });

  it('puts back no id that is queued already', () => {
    const { acks } = acknowledgements();
    acks.add(['a'], LEASE_MS);
    const taken = acks.take();
    acks.add(['a', 'b'], LEASE_MS);
    acks.restore(taken);
    expect(acks.take()).toEqual(['a', 'b']);
  });

  it(`lets a restored batch go out again, ${MAX_ACKS} at a time`, () => {
    const { acks } = acknowledgements();
    acks.add(idsFrom(0, 150), LEASE_MS);
    const first = acks.take();
    acks.restore(first);
    expect(acks.take()).toEqual(idsFrom(0, 100));
    expect(acks.take()).toEqual(idsFrom(100, 150));
  });
});

describe('pending', () => {
  it('says whether any acknowledgement waits', () => {
    const { acks } = acknowledgements();
    expect(acks.pending).toBe(false);
    acks.add([], LEASE_MS);
    expect(acks.pending).toBe(false);
    acks.add(['a'], LEASE_MS);
    expect(acks.pending).toBe(true);
    const taken = acks.take();
    expect(acks.pending).toBe(false);
    acks.restore(taken);
    expect(acks.pending).toBe(true);
  });
});

describe('Acknowledgements', () => {
  it('queues as a list of distinct ids, for any adds, takes and restores', () => {
    const id = fc.integer({ min: 0, max: 300 }).map((n) => `id-${n}`);
    const step = fc.oneof(
      fc.record({ op: fc.constant('add' as const), ids: fc.uniqueArray(id, { maxLength: 150 }) }),
      fc.record({ op: fc.constant('take' as const), restore: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const { acks } = acknowledgements();
        let model: string[] = [];
        for (const step of steps) {
          if (step.op === 'add') {
            acks.add(step.ids, LEASE_MS);
            model = [...model, ...step.ids.filter((i) => !model.includes(i))];
          } else {
            const taken = acks.take();
            expect(taken).toEqual(model.slice(0, MAX_ACKS));
            model = model.slice(MAX_ACKS);
            if (step.restore) {
              acks.restore(taken);
              model = [...taken.filter((i) => !model.includes(i)), ...model];
            }
          }
          expect(acks.pending).toBe(model.length > 0);
        }
      }),
    );
  });
});

describe('flush', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs once half of the lease has passed with acknowledgements waiting', () => {
    const { acks, flushed } = acknowledgements();
    acks.add(['a'], LEASE_MS);
    vi.advanceTimersByTime(LEASE_MS / 2 - 1);
    expect(flushed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(flushed).toEqual([['a']]);
    vi.advanceTimersByTime(10 * LEASE_MS);
    expect(flushed).toEqual([['a']]);
  });

  it('runs once, even when its request takes nothing and the ids still wait', () => {
    const flush = vi.fn();
    const acks = new Acknowledgements(flush);
    acks.add(['a'], LEASE_MS);
    vi.advanceTimersByTime(10 * LEASE_MS);
    expect(flush).toHaveBeenCalledTimes(1);
    expect(acks.pending).toBe(true);
  });

  it('does not run when a request took every acknowledgement first', () => {
    const { acks, flushed } = acknowledgements();
    acks.add(['a'], LEASE_MS);
    vi.advanceTimersByTime(LEASE_MS / 2 - 1);
    expect(acks.take()).toEqual(['a']);
    vi.advanceTimersByTime(10 * LEASE_MS);
    expect(flushed).toEqual([]);
  });

  it(`runs when a request took only ${MAX_ACKS} and the rest still wait`, () => {
    const { acks, flushed } = acknowledgements();
    acks.add(idsFrom(0, 150), LEASE_MS);
    expect(acks.take()).toHaveLength(MAX_ACKS);
    vi.advanceTimersByTime(LEASE_MS / 2);
    expect(flushed).toEqual([idsFrom(100, 150)]);
  });

  it('counts half the lease from the oldest acknowledgement waiting, not the newest', () => {
    const { acks, flushed } = acknowledgements();
    acks.add(['a'], LEASE_MS);
    vi.advanceTimersByTime(LEASE_MS / 2 - 100);
    acks.add(['b'], LEASE_MS);
    vi.advanceTimersByTime(100);
    expect(flushed).toEqual([['a', 'b']]);
  });

  it('counts anew for acknowledgements added after a take emptied the queue', () => {
    const { acks, flushed } = acknowledgements();
    acks.add(['a'], LEASE_MS);
    vi.advanceTimersByTime(LEASE_MS / 2 - 100);
    acks.take();
    acks.add(['b'], LEASE_MS);
    vi.advanceTimersByTime(100);
    expect(flushed).toEqual([]);
    vi.advanceTimersByTime(LEASE_MS / 2 - 100);
    expect(flushed).toEqual([['b']]);
  });

  it('counts anew for acknowledgements added after a flush', () => {
    const { acks, flushed } = acknowledgements();
    acks.add(['a'], LEASE_MS);
    vi.advanceTimersByTime(LEASE_MS / 2);
    acks.add(['b'], LEASE_MS);
    vi.advanceTimersByTime(LEASE_MS / 2 - 1);
    expect(flushed).toEqual([['a']]);
    vi.advanceTimersByTime(1);
    expect(flushed).toEqual([['a'], ['b']]);
  });

  it('waits half of the lease the acknowledgements were added with', () => {
    const { acks, flushed } = acknowledgements();
    acks.add(['a'], 1000);
    vi.advanceTimersByTime(499);
    expect(flushed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(flushed).toEqual([['a']]);
  });

  it('runs for acknowledgements a failed request put back', () => {
    const { acks, flushed } = acknowledgements();
    acks.add(['a'], LEASE_MS);
    const taken = acks.take();
    vi.advanceTimersByTime(LEASE_MS);
    acks.restore(taken);
    vi.advanceTimersByTime(LEASE_MS / 2);
    expect(flushed).toEqual([['a']]);
  });

  it('is not armed by an add or a restore that queues nothing', () => {
    const { acks, flushed } = acknowledgements();
    acks.add([], LEASE_MS);
    acks.restore([]);
    vi.advanceTimersByTime(10 * LEASE_MS);
    expect(flushed).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps one timer however many acknowledgements are added', () => {
    const { acks } = acknowledgements();
    for (const id of idsFrom(0, 20)) acks.add([id], LEASE_MS);
    acks.restore(acks.take().slice(0, 5));
    expect(vi.getTimerCount()).toBe(1);
  });
});
