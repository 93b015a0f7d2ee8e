import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../../../server/storage/memory-store.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { createMessages } from '../../../server/trpc/create-messages.js';
import { MessagesDroppedError } from '../../../server/trpc/reporter.js';
import { texts } from '../../fixtures/texts.js';

const secret = 'drops-test-secret-0123456789abcdef';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** Sends `count` messages to one visitor through the kit, as a job would. */
async function overflow(kit: ReturnType<typeof createMessages>, count: number) {
  for (let i = 1; i <= count; i += 1) await kit.to({ sessionId: 'visitor' }).info(`Message ${i}.`);
}

describe('messages a store lets go unread', () => {
  it('are reported to onError as a MessagesDroppedError by default, with their reason', async () => {
    const onError = vi.fn();
    const store = new MemoryStore({ maxMessagesPerKey: 2 });
    const kit = createMessages({ storage: serverStorage({ secret, store }), onError });

    await overflow(kit, 3);

    expect(onError).toHaveBeenCalledTimes(1);
    const [error] = onError.mock.calls[0] ?? [];
    expect(error).toBeInstanceOf(MessagesDroppedError);
    expect(error).toMatchObject({ reason: 'overflow' });
    expect(texts((error as MessagesDroppedError).messages)).toEqual(['Message 1.']);
    expect((error as Error).message).toContain('pushed out by newer ones');
  });

  it('go to onDrop instead when the app passes one', async () => {
    const onError = vi.fn();
    const onDrop = vi.fn();
    const store = new MemoryStore({ maxMessagesPerKey: 2 });
    const kit = createMessages({ storage: serverStorage({ secret, store }), onError, onDrop });

    await overflow(kit, 3);

    expect(onError).not.toHaveBeenCalled();
    expect(onDrop).toHaveBeenCalledWith({
      key: 'session:visitor',
      messages: [expect.objectContaining({ message: 'Message 1.' })],
      reason: 'overflow',
    });
  });

  it('are logged with console.error when the app passes neither', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const store = new MemoryStore({ maxMessagesPerKey: 1 });
    const kit = createMessages({ storage: serverStorage({ secret, store }) });

    await overflow(kit, 2);

    expect(error).toHaveBeenCalledWith('trpc-messages:', expect.any(MessagesDroppedError));
  });

  it('are warned about in development by a store used without the kit or onDrop', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const store = new MemoryStore({ maxMessagesPerKey: 1 });
    const added = (text: string) => [{ id: text, level: 20, message: text, extraTags: '' }];

    await store.commit('session:alone', { added: added('first') });
    await store.commit('session:alone', { added: added('second') });

    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toContain('1 message(s) for session:alone were dropped');
  });
});
