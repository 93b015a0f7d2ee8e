import { afterEach, describe, expect, it, vi } from 'vitest';
import { MessagesDroppedError } from '../../../server/reports/messages-dropped-error.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { MemoryStore } from '../../../server/stores/memory/memory-store.js';
import { createMessages } from '../../../server/trpc/create-messages.js';
import { runWithGc } from '../../fixtures/gc-script.js';
import { texts } from '../../fixtures/texts.js';

const secret = 'drops-test-secret-0123456789abcdef';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** Sends `count` messages to one visitor through the kit, as a job would. */
async function overflow(kit: ReturnType<typeof createMessages>, count: number) {
  for (let i = 1; i <= count; i += 1) await kit.to({ sessionId: 'visitor' }).info(`Message ${i}.`);
}

/** A message as a store keeps it. */
const message = (text: string) => ({ id: text, level: 20, message: text, extraTags: '' });

/** The messages the lines logged say were dropped, in all. */
const droppedIn = (lines: readonly unknown[][]) =>
  lines.reduce((sum, [line]) => {
    const count = /^trpc-messages: ([\d,]+) messages? dropped unread/.exec(String(line))?.[1];
    return sum + Number(count?.replaceAll(',', ''));
  }, 0);

describe('messages a store lets go unread', () => {
  it('go to onDrop, each one, when the app passes one', async () => {
    const onError = vi.fn();
    const onDrop = vi.fn();
    const store = new MemoryStore({ maxMessagesPerKey: 2 });
    const kit = createMessages({ storage: serverStorage({ secret, store }), onError, onDrop });

    await overflow(kit, 5);

    expect(onError).not.toHaveBeenCalled();
    expect(onDrop).toHaveBeenCalledTimes(3);
    expect(onDrop).toHaveBeenCalledWith({
      key: 'session:visitor',
      messages: [expect.objectContaining({ message: 'Message 1.' })],
      reason: 'overflow',
    });
  });

  it('are reported to onError in counts: the first at once, the rest together once per ten seconds', async () => {
    vi.useFakeTimers();
    const onError = vi.fn();
    const store = new MemoryStore({ maxMessagesPerKey: 1 });
    const kit = createMessages({ storage: serverStorage({ secret, store }), onError });

    await overflow(kit, 2);
    expect(onError).toHaveBeenCalledTimes(1);
    const [first, where] = onError.mock.calls[0] ?? [];
    expect(first).toBeInstanceOf(MessagesDroppedError);
    expect(first).toMatchObject({ counts: { overflow: 1 }, intervalMs: undefined });
    expect(texts((first as MessagesDroppedError).messages)).toEqual([]);
    expect(where).toEqual({});

    await overflow(kit, 4);
    await store.commit('session:a', { added: [message('a')] });
    vi.setSystemTime(Date.now() + 86_400_001);
    // Read after a day: expired.
    await store.peek('session:a');
    expect(onError).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10_000);

    expect(onError).toHaveBeenCalledTimes(2);
    const [summed] = onError.mock.calls[1] ?? [];
    expect(summed).toMatchObject({ counts: { overflow: 4, expired: 1 }, intervalMs: 10_000 });
    expect((summed as Error).message).toBe(
      'trpc-messages: 5 messages dropped unread in the last 10 s: 4 pushed out by newer ones ' +
        "(maxMessagesPerKey), 1 expired (past the store's ttl)",
    );
    // Quiet for ten seconds: nothing to report, and the next drop is reported at once.
    vi.advanceTimersByTime(10_000);
    expect(onError).toHaveBeenCalledTimes(2);
    await overflow(kit, 1);
    expect(onError).toHaveBeenCalledTimes(3);
  });

  it('are logged as one line, in counts, when the app passes neither onDrop nor onError', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const store = new MemoryStore({ maxMessagesPerKey: 1 });
    const kit = createMessages({ storage: serverStorage({ secret, store }) });

    await overflow(kit, 2);

    expect(error.mock.calls).toEqual([
      ['trpc-messages: 1 message dropped unread: 1 pushed out by newer ones (maxMessagesPerKey)'],
    ]);
  });

  it('are logged in counts by a store used without the kit or onDrop, in production too', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const store = new MemoryStore({ maxMessagesPerKey: 1 });

    await store.commit('session:alone', { added: [message('first')] });
    await store.commit('session:alone', { added: [message('second')] });

    expect(error.mock.calls).toEqual([
      ['trpc-messages: 1 message dropped unread: 1 pushed out by newer ones (maxMessagesPerKey)'],
    ]);
  });

  it('make a bounded number of log lines when 200,000 new visitors push each other out', async () => {
    vi.useFakeTimers();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const store = new MemoryStore({ maxKeys: 100 });
    createMessages({ storage: serverStorage({ secret, store }) });
    const visitors = 200_000;

    // Spread over 100 seconds, as a flood of visitors would come.
    for (let i = 0; i < visitors; i += 1) {
      await store.commit(`session:${i}`, { added: [message(`Welcome, visitor ${i}.`)] });
      if (i % 20_000 === 19_999) vi.advanceTimersByTime(10_000);
    }
    vi.advanceTimersByTime(10_000);

    // The first at once, then one a period: 11 in all, every eviction counted.
    expect(error.mock.calls.length).toBeLessThanOrEqual(12);
    expect(droppedIn(error.mock.calls)).toBe(visitors - 100);
    // The first period less its first eviction, which was told at once; then 20,000 a period.
    expect(String(error.mock.calls[1]?.[0])).toMatch(/^trpc-messages: 19,899 messages dropped/);
    expect(String(error.mock.calls[2]?.[0])).toMatch(
      /^trpc-messages: 20,000 messages dropped unread in the last 10 s: 20,000 evicted \(the store was full: maxKeys, maxBytes\)$/,
    );
  });

  it('are one report, not one per kit, for 1,001 kits on the default store', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const kits = Array.from({ length: 1001 }, () => createMessages({ secret }));
    const [kit] = kits;
    if (!kit) throw new Error('no kit');

    // The default store keeps 50 messages per visitor: one more pushes the oldest out.
    await overflow(kit, 51);

    expect(error.mock.calls).toEqual([
      ['trpc-messages: 1 message dropped unread: 1 pushed out by newer ones (maxMessagesPerKey)'],
    ]);
  });

  it("go to each kit's own onDrop once, however many kits share the store", async () => {
    const store = new MemoryStore({ maxMessagesPerKey: 1 });
    const onDrops = [vi.fn(), vi.fn(), vi.fn()];
    const [kit] = onDrops.map((onDrop) =>
      createMessages({ storage: serverStorage({ secret, store }), onDrop }),
    );
    if (!kit) throw new Error('no kit');

    await overflow(kit, 2);

    for (const onDrop of onDrops) expect(onDrop).toHaveBeenCalledTimes(1);
  });

  it('stop reaching kits once they are garbage-collected, which leave no listener behind', async () => {
    const outcome = await runWithGc<{
      kits: number;
      collected: number;
      heard: { onDrop: number; onError: number; sharedOnDrop: number };
      registered: number;
      left: number;
    }>(new URL('./collected-kits.script.ts', import.meta.url));

    // Every kit let go was collected: the store held none of them.
    expect(outcome.collected).toBe(3 * outcome.kits);
    // A drop afterwards reaches the one kit of each kind still in use, and none of those let go,
    // not even through an onDrop the app still holds.
    expect(outcome.heard).toEqual({ onDrop: 1, onError: 1, sharedOnDrop: 0 });
    expect(outcome.registered).toBe(outcome.kits);
    expect(outcome.left).toBe(0);
  }, 60_000);
});
