import { TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Recipient, recipientKey } from '../../../server/storage/backend.js';
import { cookieStorage } from '../../../server/storage/cookie/cookie-storage.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { INFO } from '../../../shared/levels.js';
import { ControlledStore } from '../../fixtures/controlled-store.js';
import { closeLiveStreams, LiveStream } from '../../fixtures/live-stream.js';
import { texts } from '../../fixtures/texts.js';
import type { TestRouter } from '../../fixtures/trpc-app.js';
import { createBrowser } from '../../fixtures/trpc-client.js';
import { type RunningApp, type StartAppOptions, TestApps } from '../../fixtures/trpc-server.js';
import { failOnUnhandledRejections } from '../../fixtures/unhandled-rejections.js';

failOnUnhandledRejections();

const secret = 'live-test-secret-0123456789abcdef';

const apps = new TestApps();
afterEach(async () => {
  // Streams first: one whose server went away would reconnect.
  closeLiveStreams();
  await apps.closeAll();
  vi.restoreAllMocks();
});

/** Serves the test app over serverStorage on a store the test can watch and break. */
async function serve(options: StartAppOptions = {}) {
  const store = new ControlledStore();
  const app = await apps.start('standalone', {
    storage: serverStorage({ secret, store }),
    ...options,
  });
  return { app, store };
}

type Browser = ReturnType<typeof createBrowser>;

/** A new browser of `app`, with its recipient and store key (asking gives it a session). */
async function visit(app: RunningApp) {
  const browser = createBrowser(app.url);
  const recipient: Recipient = await browser.client.recipient.query();
  return { ...browser, recipient, key: recipientKey(recipient) };
}

/** Opens a live stream and waits until the server watches the browser's messages. */
async function openLive(
  browser: Pick<Browser, 'client'>,
  store: ControlledStore,
  key: string,
): Promise<LiveStream> {
  const stream = new LiveStream(browser.client);
  await stream.started;
  await vi.waitFor(() => expect(store.watchers(key)).toBe(1));
  return stream;
}

/** Waits until the server stopped the streams of `key` (it saw their browser go). */
const serverLetGo = (store: ControlledStore, key: string) =>
  vi.waitFor(() => expect(store.watchers(key)).toBe(0));

describe('messages.live', () => {
  it("signals a job's message, which the consume that follows returns, once", async ({
    annotate,
  }) => {
    const { app, store } = await serve();
    const browser = await visit(app);
    const stream = await openLive(browser, store, browser.key);

    const sentAt = performance.now();
    await app.messages.to(browser.recipient).info('Your export is ready.');
    await stream.signalled(1);
    // What the client does on a signal.
    const consumed = await browser.client.messages.consume.query();
    const inHandAt = performance.now();

    const signalledAfter = (stream.signals[0]?.at ?? Number.NaN) - sentAt;
    const latency = inHandAt - sentAt;
    await annotate(
      `live latency: signal ${signalledAfter.toFixed(1)} ms, message in hand ${latency.toFixed(1)} ms after the send`,
    );
    // Reported, not asserted: on loopback it takes a few milliseconds, on a loaded machine more.
    expect(stream.signals).toEqual([{ data: { waiting: true }, at: expect.any(Number) }]);
    expect(consumed.messages).toEqual([
      expect.objectContaining({ level: INFO, message: 'Your export is ready.' }),
    ]);
    expect(texts(await browser.client.messages.consume.query())).toEqual([]);
  });

  it('signals a message a mutation of the same browser added, in another request', async () => {
    const { app } = await serve();
    const { client, jar } = createBrowser(app.url);
    const stream = new LiveStream(client);
    await stream.started;
    // The stream gave the browser its session: the mutation's message is kept under it.
    expect(jar.get('messages_session')).toBeDefined();

    await client.add.mutate({ text: 'Task saved.' });
    await stream.signalled(1);

    expect(texts(await client.messages.consume.query())).toEqual(['Task saved.']);
  });

  it('signals at once, on connect, the messages added while no stream was open', async () => {
    const { app, store } = await serve();
    const browser = await visit(app);
    await app.messages.to(browser.recipient).info('While away, first.');
    await app.messages.to(browser.recipient).info('While away, second.');

    // Nothing is added once the stream is open: its signal can only come from what waits.
    const stream = await openLive(browser, store, browser.key);
    await stream.signalled(1);

    expect(texts(await browser.client.messages.consume.query())).toEqual([
      'While away, first.',
      'While away, second.',
    ]);
  });

  it('signals two messages sent at once, which one consume returns in order, each once', async () => {
    const { app, store } = await serve();
    const browser = await visit(app);
    const stream = await openLive(browser, store, browser.key);
    const to = app.messages.to(browser.recipient);

    await Promise.all([to.info('First.'), to.info('Second.')]);
    await stream.signalled(1);

    expect(texts(await browser.client.messages.consume.query())).toEqual(['First.', 'Second.']);
    expect(texts(await browser.client.messages.consume.query())).toEqual([]);
  });

  it('loses nothing when the stream drops: what was sent as it closed and while it was closed is signalled by the next one', async () => {
    const { app, store } = await serve();
    const browser = await visit(app);
    const to = app.messages.to(browser.recipient);
    const leaving = await openLive(browser, store, browser.key);

    // Sent as the page closes: its signal may or may not have left.
    await to.info('Sent as the page closed.');
    leaving.close();
    await serverLetGo(store, browser.key);
    await to.info('Sent while no page was open.');

    const next = await openLive(browser, store, browser.key);
    await next.signalled(1);

    // The streams only looked: only the consume took messages.
    expect(store.handOuts).toEqual([]);
    expect(texts(await browser.client.messages.consume.query())).toEqual([
      'Sent as the page closed.',
      'Sent while no page was open.',
    ]);
    expect(store.handOuts).toEqual([browser.key]);
  });

  it('signals nothing, on reconnect, that a consume already returned', async () => {
    const { app, store } = await serve();
    const browser = await visit(app);
    const to = app.messages.to(browser.recipient);
    const first = await openLive(browser, store, browser.key);
    await to.info('Before.');
    await first.signalled(1);
    expect(texts(await browser.client.messages.consume.query())).toEqual(['Before.']);
    first.close();
    await serverLetGo(store, browser.key);

    const second = await openLive(browser, store, browser.key);
    // The second stream has looked for waiting messages: any signal of its own would be sent now.
    await vi.waitFor(() =>
      expect(store.peeks.filter((key) => key === browser.key)).toHaveLength(2),
    );
    await to.info('After.');
    await second.signalled(1);

    expect(texts(await browser.client.messages.consume.query())).toEqual(['After.']);
    expect(second.signals).toHaveLength(1);
  });

  it("signals a user's devices, and no one else, of the user's messages", async () => {
    const { app, store } = await serve({ users: true });
    const laptop = createBrowser(app.url, 'httpBatchLink', { userId: '7' });
    const phone = createBrowser(app.url, 'httpBatchLink', { userId: '7' });
    const other = createBrowser(app.url, 'httpBatchLink', { userId: '8' });
    const visitor = await visit(app);
    const laptopStream = new LiveStream(laptop.client);
    const phoneStream = new LiveStream(phone.client);
    await Promise.all([laptopStream.started, phoneStream.started]);
    await vi.waitFor(() => expect(store.watchers('user:7')).toBe(2));
    const otherStream = await openLive(other, store, 'user:8');
    const visitorStream = await openLive(visitor, store, visitor.key);

    await app.messages.to({ userId: '7' }).info('For user 7.');
    await Promise.all([laptopStream.signalled(1), phoneStream.signalled(1)]);

    expect(otherStream.signals).toEqual([]);
    expect(visitorStream.signals).toEqual([]);
    expect(store.watchedKeys().sort()).toEqual(['user:7', 'user:8', visitor.key].sort());
    expect(texts(await phone.client.messages.consume.query())).toEqual(['For user 7.']);
    expect(texts(await laptop.client.messages.consume.query())).toEqual([]);
    expect(texts(await other.client.messages.consume.query())).toEqual([]);
    expect(texts(await visitor.client.messages.consume.query())).toEqual([]);
  });
});

describe('messages.live when it cannot work', () => {
  it('fails with PRECONDITION_FAILED, naming serverStorage, with cookieStorage', async () => {
    const app = await apps.start('standalone', { storage: cookieStorage({ secret }) });
    const { client } = createBrowser(app.url);

    const stream = new LiveStream(client);
    await stream.until((s) => s.errors.length > 0);

    const [error] = stream.errors;
    expect(error).toBeInstanceOf(TRPCClientError);
    const clientError = error as TRPCClientError<TestRouter>;
    expect(clientError.data?.code).toBe('PRECONDITION_FAILED');
    expect(clientError.message).toBe(
      'trpc-messages: live messages need a server store; use serverStorage() or fallbackStorage()',
    );
  });

  it('reports a store that fails its look on connect, keeps the stream open, and signals later messages', async () => {
    const onError = vi.fn();
    const { app, store } = await serve({ onError });
    const browser = await visit(app);
    const down = new Error('store down');
    store.failPeeks(down);

    const stream = await openLive(browser, store, browser.key);
    await vi.waitFor(() => expect(onError).toHaveBeenCalledTimes(1));
    store.failPeeks(undefined);
    await app.messages.to(browser.recipient).info('Sent once the store was back.');
    await stream.signalled(1);

    expect(onError.mock.calls).toEqual([[down, { path: 'messages.live' }]]);
    expect(stream.errors).toEqual([]);
    expect(store.watchers(browser.key)).toBe(1);
    expect(texts(await browser.client.messages.consume.query())).toEqual([
      'Sent once the store was back.',
    ]);
  });
});

describe('messages.live for a signed-in browser', () => {
  // A browser that signs in leaves its visitor session behind, its messages moved to the user:
  // a job the visitor started just before signing in follows it there, and is signalled.
  it("signals a message sent to a signed-in browser's session as it signed in", async () => {
    const { app, store } = await serve({ users: true });
    const visitor = await visit(app);
    const signedIn = createBrowser(app.url, 'httpBatchLink', { userId: '7', jar: visitor.jar });
    const stream = await openLive(signedIn, store, 'user:7');

    await app.messages.to(visitor.recipient).info('The job you started is done.');

    await expect.poll(() => stream.signals.length).toBe(1);
    expect(texts(await signedIn.client.messages.consume.query())).toEqual([
      'The job you started is done.',
    ]);
  });

  it('ends the stream of a session once it is rotated, and a new stream watches the new recipient', async () => {
    const { app, store } = await serve({ users: true });
    const visitor = await visit(app);
    const stream = await openLive(visitor, store, visitor.key);

    await visitor.client.signIn.mutate({ userId: '7' });

    await stream.until((s) => s.completed);
    await serverLetGo(store, visitor.key);
    const signedIn = createBrowser(app.url, 'httpBatchLink', { userId: '7', jar: visitor.jar });
    const next = await openLive(signedIn, store, 'user:7');
    await app.messages.to({ userId: '7' }).info('For the user, live.');
    await next.signalled(1);
    expect(next.errors).toEqual([]);
  });
});
