import { TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MessageStorage } from '../../../server/storage/backend.js';
import { cookieStorage } from '../../../server/storage/cookie/cookie-storage.js';
import { fallbackStorage } from '../../../server/storage/fallback-storage.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { MemoryStore } from '../../../server/stores/memory/memory-store.js';
import { SUCCESS } from '../../../shared/levels.js';
import type { LevelOf } from '../../../shared/tags.js';
import { texts } from '../../fixtures/texts.js';
import type { tags } from '../../fixtures/trpc-app.js';
import { createBrowser } from '../../fixtures/trpc-client.js';
import { type StartAppOptions, TestApps } from '../../fixtures/trpc-server.js';
import { failOnUnhandledRejections } from '../../fixtures/unhandled-rejections.js';

failOnUnhandledRejections();

const secret = 'background-test-secret-0123456789abcdef';

const apps = new TestApps();
afterEach(async () => {
  await apps.closeAll();
  vi.restoreAllMocks();
});

/** Serves the test app over `storage` (default: serverStorage on a memory store) for one test. */
async function serve(options: StartAppOptions = {}) {
  const store = new MemoryStore();
  const app = await apps.start('standalone', {
    storage: serverStorage({ secret, store }),
    ...options,
  });
  return { app, store };
}

describe('messages.to(recipient), from outside any request', () => {
  it("delivers a message sent to a browser's session by its next consume, once", async () => {
    const { app } = await serve();
    const browser = createBrowser(app.url);
    // A request tells the app whom to send to later; on a first visit that starts a session.
    const recipient = await browser.client.recipient.query();
    expect(browser.jar.get('messages_session')).toBeDefined();

    await app.messages.to(recipient).success('Your export is ready.');

    expect((await browser.client.messages.consume.query()).messages).toEqual([
      {
        id: expect.any(String),
        level: SUCCESS,
        message: 'Your export is ready.',
        extraTags: '',
        levelTag: 'success',
        tags: 'success',
      },
    ]);
    expect(texts(await browser.client.messages.consume.query())).toEqual([]);
  });

  it('gives a browser the same recipient on every request', async () => {
    const { app } = await serve();
    const { client } = createBrowser(app.url);

    const first = await client.recipient.query();

    expect(await client.recipient.query()).toEqual(first);
  });

  it('delivers a message sent to { userId } by the next consume on any of the user’s devices, once', async () => {
    const { app } = await serve({ users: true });
    const laptop = createBrowser(app.url, 'httpBatchLink', { userId: '7' });
    const phone = createBrowser(app.url, 'httpBatchLink', { userId: '7' });

    await app.messages.to({ userId: '7' }).info('Your invoice was paid.');

    expect(texts(await phone.client.messages.consume.query())).toEqual(['Your invoice was paid.']);
    expect(texts(await laptop.client.messages.consume.query())).toEqual([]);
  });

  it('delivers the message of a job a request started, after what the request added', async () => {
    const { app } = await serve();
    const { client } = createBrowser(app.url);
    await client.add.mutate({ text: 'Export started.' });

    await client.startJob.mutate({ text: 'Export ready.', delayMs: 10 });
    await Promise.all(app.jobs);

    expect(texts(await client.messages.consume.query())).toEqual([
      'Export started.',
      'Export ready.',
    ]);
    expect(texts(await client.messages.consume.query())).toEqual([]);
  });

  it('delivers with fallbackStorage too: the browser it gives a session to reads the store', async () => {
    const { app } = await serve({ storage: fallbackStorage({ secret }) });
    const { client } = createBrowser(app.url);
    const recipient = await client.recipient.query();

    await app.messages.to(recipient).info('From a job.');

    expect(texts(await client.messages.consume.query())).toEqual(['From a job.']);
    expect(texts(await client.messages.consume.query())).toEqual([]);
  });
});

describe('messages.to(recipient) with a key', () => {
  it('replaces the unread messages of that key, so a job away from the page leaves one', async () => {
    const { app, store } = await serve();
    const browser = createBrowser(app.url);
    const recipient = await browser.client.recipient.query();
    await app.messages.to(recipient).info('Before the export.');
    for (const percent of [20, 40, 60, 80]) {
      await app.messages.to(recipient).info(`Export ${percent}%…`, { key: 'export' });
    }
    await app.messages.to(recipient).success('Export ready.', { key: 'export' });
    await app.messages.to(recipient).info('Another job.', { key: 'other' });
    // One message per key in the store, not one per step.
    const key = `session:${(recipient as { sessionId: string }).sessionId}`;
    expect(texts(await store.peek(key))).toEqual([
      'Before the export.',
      'Export ready.',
      'Another job.',
    ]);
    expect(texts(await browser.client.messages.consume.query())).toEqual([
      'Before the export.',
      'Export ready.',
      'Another job.',
    ]);
  });

  it('replaces nothing when the new message is not stored (below the minimum level)', async () => {
    const { app } = await serve();
    const browser = createBrowser(app.url);
    const recipient = await browser.client.recipient.query();
    await app.messages.to(recipient).info('Export 20%…', { key: 'export' });
    await app.messages.to(recipient).debug('Export 21%…', { key: 'export' });
    expect(texts(await browser.client.messages.consume.query())).toEqual(['Export 20%…']);
  });
});

describe('the rules of a request apply', () => {
  /** A served app, a browser of it, and the browser's recipient and store key. */
  async function visited(options: StartAppOptions = {}) {
    const { app, store } = await serve(options);
    const browser = createBrowser(app.url);
    const recipient = await browser.client.recipient.query();
    const key = 'sessionId' in recipient ? `session:${recipient.sessionId}` : '';
    return { app, store, browser, recipient, key };
  }

  it('drops a DEBUG message, below the default minimum level, without storing anything', async () => {
    const { app, store, browser, recipient, key } = await visited();

    await app.messages.to(recipient).debug('Never stored.');

    expect(await store.peek(key)).toEqual([]);
    expect(texts(await browser.client.messages.consume.query())).toEqual([]);
  });

  it('truncates a message over the size limit to fit, and reports it to onError, with no path', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const onError = vi.fn();
    const { app, store, recipient, key } = await visited({ onError });

    await app.messages.to(recipient).info('x'.repeat(8193));

    expect((await store.peek(key)).map((m) => m.message)).toEqual([`${'x'.repeat(8189)}…`]);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({
        message:
          'trpc-messages: a message weighs 8193 bytes, over maxMessageBytes (8192); it was ' +
          'truncated to fit; shorten it, or raise maxMessageBytes',
      }),
      {},
    );
  });

  it('reports a keyed message over the size limit once, though it is queued again to replace others', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const onError = vi.fn();
    const { app, browser, recipient } = await visited({ onError });

    await app.messages.to(recipient).info('Export 20%…', { key: 'export' });
    await app.messages.to(recipient).info(`Export ${'9'.repeat(9000)}%`, { key: 'export' });

    // The key's 6 bytes count too: 8186 are left for the text, ellipsis included.
    expect(texts(await browser.client.messages.consume.query())).toEqual([
      `Export ${'9'.repeat(8176)}…`,
    ]);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('drops a message whose level is not an integer, and reports it', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const onError = vi.fn();
    const { app, store, recipient, key } = await visited({ onError });
    // What a caller without types could pass.
    const level = 2.5 as LevelOf<typeof tags>;

    await app.messages.to(recipient).add(level, 'Odd level.');

    expect(await store.peek(key)).toEqual([]);
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({
        problem: 'level',
        outcome: 'dropped',
        message: expect.stringContaining(
          'level must be a safe integer such as INFO (20), got 2.5; the message was dropped',
        ),
      }),
      {},
    );
  });

  it("takes the app's custom levels and tags, and extra tags", async () => {
    const { app, browser, recipient } = await visited();

    await app.messages.to(recipient).add(35, 'A notice.', { extraTags: 'from-job' });

    expect((await browser.client.messages.consume.query()).messages).toMatchObject([
      { level: 35, message: 'A notice.', levelTag: 'notice', tags: 'from-job notice' },
    ]);
  });
});

describe('where messages cannot be sent from outside a request', () => {
  const cookies = (): MessageStorage => cookieStorage({ secret });

  it('throws, with cookieStorage, an error that names the storages that can', async () => {
    const { app } = await serve({ storage: cookies() });

    expect(() => app.messages.to({ userId: '7' })).toThrow(
      new Error(
        'trpc-messages: the cookie storage keeps messages in the browser; use serverStorage() ' +
          'or fallbackStorage() to send messages from outside a request',
      ),
    );
  });

  it('fails ctx.messages.recipient() with cookieStorage, naming the storages that can', async () => {
    const { app } = await serve({ storage: cookies() });
    const { client } = createBrowser(app.url);

    const error = await client.recipient.query().catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as Error).message).toMatch(/use serverStorage\(\) or fallbackStorage\(\)/);
  });
});

describe('isolation between browsers', () => {
  it("never delivers a message sent to one browser's session to another browser", async () => {
    const { app } = await serve();
    const mine = createBrowser(app.url);
    const theirs = createBrowser(app.url);
    const recipient = await mine.client.recipient.query();
    expect(await theirs.client.recipient.query()).not.toEqual(recipient);

    await app.messages.to(recipient).info('For my browser only.');

    expect(texts(await theirs.client.messages.consume.query())).toEqual([]);
    expect(texts(await mine.client.messages.consume.query())).toEqual(['For my browser only.']);
  });

  it('never delivers it to a browser that presents the session id without its signature', async () => {
    const { app } = await serve();
    const mine = createBrowser(app.url);
    const forger = createBrowser(app.url);
    const recipient = await mine.client.recipient.query();
    const sessionId = 'sessionId' in recipient ? recipient.sessionId : '';
    forger.jar.set('messages_session', sessionId);

    await app.messages.to(recipient).info('For my browser only.');

    expect(texts(await forger.client.messages.consume.query())).toEqual([]);
    expect(texts(await mine.client.messages.consume.query())).toEqual(['For my browser only.']);
  });
});
