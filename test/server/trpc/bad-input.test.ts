import { afterEach, describe, expect, it, vi } from 'vitest';
import { MessageInputError } from '../../../server/messages/message-input-error.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../../server/messages/messages.js';
import { messageWeight } from '../../../server/storage/message-weight.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { MemoryStore } from '../../../server/stores/memory/memory-store.js';
import type { FailureSite } from '../../../server/trpc/reporter.js';
import { createBrowser, createRecordingBrowser } from '../../fixtures/trpc-client.js';
import { TestApps } from '../../fixtures/trpc-server.js';
import { failOnUnhandledRejections } from '../../fixtures/unhandled-rejections.js';

failOnUnhandledRejections();

const secret = 'bad-input-test-secret-0123456789abcdef';

const apps = new TestApps();
afterEach(async () => {
  await apps.closeAll();
  vi.restoreAllMocks();
});

/** Serves the test app with an onError that records what it is told. */
async function serve() {
  const reported: { error: unknown; where: FailureSite }[] = [];
  const app = await apps.start('standalone', {
    storage: serverStorage({ secret, store: new MemoryStore() }),
    onError: (error, where) => reported.push({ error, where }),
  });
  return { app, reported };
}

describe("a mutation whose message holds the user's input, over HTTP", () => {
  it.each([
    { name: '9,000 characters', title: 'Tâche 📝 '.repeat(1000) },
    { name: '1 MB', title: 'x'.repeat(1_000_000) },
  ])(
    'with a title of $name answers 200, runs its work once, and delivers the message truncated within the limit, onError told with the path',
    async ({ title }) => {
      // The development warning, once per call site, is not what this test is about.
      vi.spyOn(console, 'warn').mockImplementation(() => {});
      const { app, reported } = await serve();
      const { client, last } = createRecordingBrowser(app.url);

      expect(await client.createTask.mutate({ title })).toEqual({ id: 1 });
      expect(last().status).toBe(200);

      expect(app.tasks).toEqual([title]);
      const [message, ...others] = (await client.messages.consume.query()).messages;
      expect(others).toEqual([]);
      const shown = message?.translation?.params.title as string;
      expect(shown.endsWith('…')).toBe(true);
      expect(title.startsWith(shown.slice(0, -1))).toBe(true);
      // Cut between code points: no half of a surrogate pair (UTF-8 would not keep it).
      expect(Buffer.from(shown).toString()).toBe(shown);
      expect(message?.message).toBe(`Task "${shown}" created.`);
      // As stored: the key and parameters, not the text.
      const weight = messageWeight({
        message: '',
        extraTags: '',
        translation: message?.translation,
      });
      expect(weight).toBeLessThanOrEqual(DEFAULT_MAX_MESSAGE_BYTES);
      // As long as fits: one more code point would not.
      expect(weight).toBeGreaterThan(DEFAULT_MAX_MESSAGE_BYTES - 4);
      expect(reported).toEqual([
        { error: expect.any(MessageInputError), where: { path: 'createTask' } },
      ]);
      expect(reported[0]?.error).toMatchObject({
        problem: 'size',
        outcome: 'truncated',
        message: expect.stringMatching(/over maxMessageBytes \(8192\).*raise maxMessageBytes/),
      });
    },
  );

  it('answers 200 to a job sending a message over the limit, and delivers it truncated', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { app, reported } = await serve();
    const { client } = createBrowser(app.url);
    const recipient = await client.recipient.query();

    await app.messages.to(recipient).info('y'.repeat(10_000));

    const [message] = (await client.messages.consume.query()).messages;
    expect(message?.message).toBe(`${'y'.repeat(8189)}…`);
    expect(reported).toEqual([{ error: expect.any(MessageInputError), where: {} }]);
  });
});
