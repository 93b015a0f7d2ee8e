import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../server/storage/memory-store.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { SUCCESS } from '../../../shared/levels.js';
import { closeLiveStreams, LiveStream } from '../../fixtures/live-stream.js';
import { texts } from '../../fixtures/texts.js';
import { type BrowserOptions, createBrowser } from '../../fixtures/trpc-client.js';
import { type Adapter, adapters, TestApps } from '../../fixtures/trpc-server.js';
import { failOnUnhandledRejections } from '../../fixtures/unhandled-rejections.js';

failOnUnhandledRejections();

const secret = 'users-test-secret-0123456789abcdef';

const apps = new TestApps();
afterEach(async () => {
  closeLiveStreams();
  await apps.closeAll();
});

/**
 * Serves the test app, which signs requests in by their x-user-id header, over a memory store
 * the test can look into; closed after the test.
 */
async function serve(adapter: Adapter = 'standalone') {
  const store = new MemoryStore();
  const app = await apps.start(adapter, { storage: serverStorage({ secret, store }), users: true });
  /** A browser of the app: a new cookie jar, signed in as `userId` if given. */
  const browser = (options: BrowserOptions = {}) =>
    createBrowser(app.url, 'httpBatchLink', options);
  return { app, store, browser };
}

describe('messages of a signed-in user', () => {
  it.each(adapters)(
    "delivers a message added on one device by the user's other device, once, over %s",
    async (adapter) => {
      const { browser } = await serve(adapter);
      const laptop = browser({ userId: '7' });
      const phone = browser({ userId: '7' });

      await laptop.client.add.mutate({ text: 'Saved on the laptop.' });

      expect((await phone.client.messages.consume.query()).messages).toMatchObject([
        { level: SUCCESS, message: 'Saved on the laptop.', levelTag: 'success' },
      ]);
      expect(texts(await laptop.client.messages.consume.query())).toEqual([]);
      expect(texts(await phone.client.messages.consume.query())).toEqual([]);
    },
  );

  it("never shows one user's messages to another", async () => {
    const { browser } = await serve();
    const alice = browser({ userId: '7' });
    const bob = browser({ userId: '8' });

    await alice.client.add.mutate({ text: 'For user 7.' });
    await bob.client.add.mutate({ text: 'For user 8.' });

    expect(texts(await bob.client.messages.consume.query())).toEqual(['For user 8.']);
    expect(texts(await alice.client.messages.consume.query())).toEqual(['For user 7.']);
  });

  it("keeps an anonymous visitor's messages in its session, apart from every user's", async () => {
    const { browser } = await serve();
    const visitor = browser();
    const user = browser({ userId: '7' });

    await user.client.add.mutate({ text: 'For user 7.' });
    await visitor.client.add.mutate({ text: 'For the visitor.' });

    expect(texts(await visitor.client.messages.consume.query())).toEqual(['For the visitor.']);
    expect(texts(await user.client.messages.consume.query())).toEqual(['For user 7.']);
    // A visitor who never got a session reads nothing: there is no bucket without a key.
    expect(texts(await browser().client.messages.consume.query())).toEqual([]);
  });

  it('stores a user’s messages under user:<id> and a visitor’s under session:<id>, nowhere else', async () => {
    const { store, browser } = await serve();
    const visitor = browser();
    const user = browser({ userId: '7' });

    await user.client.add.mutate({ text: 'For user 7.' });
    await visitor.client.add.mutate({ text: 'For the visitor.' });

    const session = await visitor.client.recipient.query();
    expect(session).toEqual({ sessionId: expect.any(String) });
    expect(await user.client.recipient.query()).toEqual({ userId: '7' });
    const sessionId = 'sessionId' in session ? session.sessionId : '';
    expect((await store.peek('user:7')).map((m) => m.message)).toEqual(['For user 7.']);
    expect((await store.peek(`session:${sessionId}`)).map((m) => m.message)).toEqual([
      'For the visitor.',
    ]);
    expect(store.size).toBe(2);
  });

  it('sets no session cookie on a signed-in browser, whatever it does', async () => {
    const { app, browser } = await serve();
    const user = browser({ userId: '7' });

    // Each of these gives a visitor a session: consume (the Toaster's first call), recipient,
    // a message, a job, a live stream.
    await user.client.messages.consume.query();
    await user.client.recipient.query();
    await user.client.add.mutate({ text: 'Saved.' });
    await user.client.startJob.mutate({ text: 'Done.', delayMs: 0 });
    await Promise.all(app.jobs);
    expect(texts(await user.client.messages.consume.query())).toEqual(['Saved.', 'Done.']);
    const live = new LiveStream(user.client);
    await live.started;
    live.close();

    expect(user.jar.header()).toBeUndefined();
    // The same calls do give a visitor one.
    const visitor = browser();
    await visitor.client.messages.consume.query();
    expect(visitor.jar.get('messages_session')).toBeDefined();
  });
});

describe('signing in and out', () => {
  it('shows, once signed in, the message of the request that signed the user in', async () => {
    const { browser } = await serve();
    const signingIn = browser();

    // The sign-in request runs as a visitor: its message is kept in the browser's session.
    await signingIn.client.signIn.mutate({ userId: '7' });
    const signedIn = browser({ userId: '7', jar: signingIn.jar });

    expect(texts(await signedIn.client.messages.consume.query())).toEqual(['Welcome back.']);
    expect(texts(await signedIn.client.messages.consume.query())).toEqual([]);
  });

  it("shows the user's messages and the session's, each once, to a signed-in browser", async () => {
    const { app, browser } = await serve();
    const visitor = browser();
    const recipient = await visitor.client.recipient.query();
    const signedIn = browser({ userId: '7', jar: visitor.jar });

    // A job the visitor started, done once it has signed in, and a message for the user.
    await app.messages.to(recipient).info('For the session.');
    await app.messages.to({ userId: '7' }).info('For the user.');

    expect(texts(await signedIn.client.messages.consume.query())).toEqual([
      'For the session.',
      'For the user.',
    ]);
    expect(texts(await signedIn.client.messages.consume.query())).toEqual([]);
  });

  // A message the sign-out request adds with ctx.messages goes to user:<id> (the request ran as
  // the user), which the visitor the browser now is never reads: it would show at the next
  // sign-in, maybe on another device. The app sends it to the browser's session instead, with
  // messages.to(): the recipient it kept from ctx.messages.recipient() while signing the visitor
  // in (a signed-in request has no session of its own to name).
  it('shows the message of the request that signed the user out, sent to the session it signed in from', async () => {
    const { browser } = await serve();
    const visitor = browser();
    await visitor.client.signIn.mutate({ userId: '7' });
    const signedIn = browser({ userId: '7', jar: visitor.jar });
    const phone = browser({ userId: '7' });
    expect(texts(await signedIn.client.messages.consume.query())).toEqual(['Welcome back.']);

    await signedIn.client.signOut.mutate();

    expect(texts(await visitor.client.messages.consume.query())).toEqual(['Signed out.']);
    expect(texts(await visitor.client.messages.consume.query())).toEqual([]);
    // Not the user's other devices.
    expect(texts(await phone.client.messages.consume.query())).toEqual([]);
  });
});
