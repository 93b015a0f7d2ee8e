import { parseSetCookie } from 'cookie';
import { afterEach, describe, expect, it } from 'vitest';
import { Signer } from '../../../server/crypto/signer.js';
import { TimestampSigner } from '../../../server/crypto/timestamp-signer.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { MemoryStore } from '../../../server/stores/memory/memory-store.js';
import { SUCCESS } from '../../../shared/levels.js';
import { CookieJar } from '../../fixtures/cookie-jar.js';
import { closeLiveStreams, LiveStream } from '../../fixtures/live-stream.js';
import { SESSION_COOKIE, sessionIdOf } from '../../fixtures/session-cookie.js';
import { texts } from '../../fixtures/texts.js';
import {
  type BrowserOptions,
  createBrowser,
  createRecordingBrowser,
} from '../../fixtures/trpc-client.js';
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

type Served = Awaited<ReturnType<typeof serve>>;

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

    // The sign-in request rotates the browser's session into the user's: its message is the user's.
    await signingIn.client.signIn.mutate({ userId: '7' });
    const signedIn = browser({ userId: '7', jar: signingIn.jar });

    expect(texts(await signedIn.client.messages.consume.query())).toEqual(['Welcome back.']);
    expect(texts(await signedIn.client.messages.consume.query())).toEqual([]);
  });

  it("moves the visitor session's unread messages to the user once it signs in, each shown once", async () => {
    const { app, browser } = await serve();
    const visitor = browser();
    const recipient = await visitor.client.recipient.query();
    await app.messages.to(recipient).info('For the session.');
    await app.messages.to({ userId: '7' }).info('For the user.');
    // The same browser signed in (the app passes its user to fromRequest): its first request
    // moves what the session held to the user, after the user's own.
    const signedIn = browser({ userId: '7', jar: visitor.jar });

    expect(texts(await signedIn.client.messages.consume.query())).toEqual([
      'For the user.',
      'For the session.',
    ]);
    expect(texts(await signedIn.client.messages.consume.query())).toEqual([]);
    expect(signedIn.jar.get(SESSION_COOKIE)).toBeUndefined();
  });

  it('sends to a user named by a numeric id the messages of the same user named by its string', async () => {
    const { app, browser } = await serve();
    const signedIn = browser({ userId: '7' });

    await app.messages.to({ userId: 7 }).info('Named by number.');

    expect(texts(await signedIn.client.messages.consume.query())).toEqual(['Named by number.']);
  });

  it('shows the message of the request that signed the user out to the new visitor session alone', async () => {
    const { browser } = await serve();
    const visitor = browser();
    await visitor.client.signIn.mutate({ userId: '7' });
    const signedIn = browser({ userId: '7', jar: visitor.jar });
    const phone = browser({ userId: '7' });
    expect(texts(await signedIn.client.messages.consume.query())).toEqual(['Welcome back.']);

    await signedIn.client.signOut.mutate();

    expect(visitor.jar.get(SESSION_COOKIE)).toBeDefined();
    expect(texts(await visitor.client.messages.consume.query())).toEqual(['Signed out.']);
    expect(texts(await visitor.client.messages.consume.query())).toEqual([]);
    // Not the user's other devices.
    expect(texts(await phone.client.messages.consume.query())).toEqual([]);
  });
});

describe('session fixation: a session cookie planted in a victim’s browser', () => {
  /** A browser whose cookie jar holds a copy of the attacker's session cookie. */
  async function plantedSession(browser: Served['browser']) {
    const attacker = browser();
    await attacker.client.messages.consume.query(); // the kit hands out a session
    const planted = attacker.jar.get(SESSION_COOKIE);
    if (!planted) throw new Error('no session cookie was handed out');
    const victim = browser();
    victim.jar.set(SESSION_COOKIE, planted);
    return { attacker, victim };
  }

  it('reads nothing of the victim’s once the victim signed in, and the victim reads its own once', async () => {
    const { app, browser } = await serve();
    const { attacker, victim } = await plantedSession(browser);
    await victim.client.add.mutate({ text: 'Saved before signing in.' });

    await victim.client.signIn.mutate({ userId: '7' });
    const signedIn = browser({ userId: '7', jar: victim.jar });
    await app.messages.to({ userId: '7' }).info('Your one-time code is 481516.');

    // The attacker's copy names a retired session: it gets nothing, and a session of its own.
    expect(texts(await attacker.client.messages.consume.query())).toEqual([]);
    expect(texts(await signedIn.client.messages.consume.query())).toEqual([
      'Saved before signing in.',
      'Welcome back.',
      'Your one-time code is 481516.',
    ]);
    expect(texts(await attacker.client.messages.consume.query())).toEqual([]);
  });

  it('reads nothing the victim is sent after signing out, nor what it was sent signed in', async () => {
    const { browser } = await serve();
    const { attacker, victim } = await plantedSession(browser);
    await victim.client.signIn.mutate({ userId: '7' });
    const signedIn = browser({ userId: '7', jar: victim.jar });
    await signedIn.client.add.mutate({ text: 'For the user.' });

    await signedIn.client.signOut.mutate();
    await victim.client.add.mutate({ text: 'Saved as a visitor again.' });

    expect(texts(await attacker.client.messages.consume.query())).toEqual([]);
    expect(texts(await victim.client.messages.consume.query())).toEqual([
      'Signed out.',
      'Saved as a visitor again.',
    ]);
  });

  it('reads nothing once a visitor’s session is rotated, with no user at all', async () => {
    const { browser } = await serve();
    const { attacker, victim } = await plantedSession(browser);
    await victim.client.add.mutate({ text: 'Before the rotation.' });
    const before = victim.jar.get(SESSION_COOKIE);

    await victim.client.rotate.mutate();
    await victim.client.add.mutate({ text: 'After the rotation.' });

    expect(victim.jar.get(SESSION_COOKIE)).not.toBe(before);
    expect(texts(await attacker.client.messages.consume.query())).toEqual([]);
    expect(texts(await victim.client.messages.consume.query())).toEqual([
      'Before the rotation.',
      'After the rotation.',
    ]);
  });

  it('rotates even when the app only passes its user to fromRequest: the visitor session is retired at the first signed-in request', async () => {
    const { browser } = await serve();
    const { attacker, victim } = await plantedSession(browser);
    await victim.client.add.mutate({ text: 'Saved as a visitor.' });
    // Signed in by the app's own means (no rotateSession call): the requests carry the user.
    const signedIn = browser({ userId: '7', jar: victim.jar });
    await signedIn.client.add.mutate({ text: 'Saved signed in.' });

    expect(texts(await attacker.client.messages.consume.query())).toEqual([]);
    expect(texts(await signedIn.client.messages.consume.query())).toEqual([
      'Saved as a visitor.',
      'Saved signed in.',
    ]);
  });

  it('loses nothing a request in flight adds under the old session: it follows the rotation, unread by the copy', async () => {
    const { app, browser } = await serve();
    const { attacker, victim } = await plantedSession(browser);
    const oldCookie = victim.jar.get(SESSION_COOKIE) ?? '';
    // The victim's tab sent a request before the rotation's answer came: it carries the old cookie.
    const inFlight = browser({ jar: new CookieJar() });
    inFlight.jar.set(SESSION_COOKIE, oldCookie);

    await victim.client.rotate.mutate();
    await inFlight.client.add.mutate({ text: 'Added in flight.' });

    expect(texts(await attacker.client.messages.consume.query())).toEqual([]);
    expect(texts(await inFlight.client.messages.consume.query())).toEqual([]);
    expect(texts(await victim.client.messages.consume.query())).toEqual(['Added in flight.']);
    // The store holds nothing under the old id.
    expect(await app.messages.storage.store?.peek(`session:${sessionIdOf(oldCookie)}`)).toEqual([]);
  });

  it('drops the old session’s unread messages at sign-out when the app asks', async () => {
    const { browser } = await serve();
    const visitor = browser();
    await visitor.client.add.mutate({ text: 'Left unread.' });

    await visitor.client.signOut.mutate({ unread: 'drop' });

    expect(texts(await visitor.client.messages.consume.query())).toEqual(['Signed out.']);
  });
});

describe('the session cookie’s age', () => {
  it('is sent with a Max-Age of 14 days', async () => {
    const { app } = await serve();
    const visitor = createRecordingBrowser(app.url);
    await visitor.client.add.mutate({ text: 'Saved.' });
    const [header] = visitor
      .last()
      .headers.getSetCookie()
      .filter((h) => h.startsWith(`${SESSION_COOKIE}=`));
    expect(parseSetCookie(header ?? '')).toMatchObject({ maxAge: 14 * 24 * 60 * 60 });
  });

  it('is refused past its maximum age: the browser gets a new session, and the old id is not read', async () => {
    const { store, browser } = await serve();
    const visitor = browser();
    await visitor.client.add.mutate({ text: 'Saved long ago.' });
    const id = sessionIdOf(visitor.jar.get(SESSION_COOKIE) ?? '');
    // The same id, signed 15 days ago with the app's secret, as an old copy of the cookie would be.
    const fifteenDaysAgo = Date.now() - 15 * 24 * 60 * 60 * 1000;
    const sessions = new TimestampSigner(
      new Signer(secret, 'trpc-messages.session'),
      14 * 24 * 60 * 60,
    );
    const old = browser();
    old.jar.set(SESSION_COOKIE, sessions.sign(id, fifteenDaysAgo));

    expect(texts(await old.client.messages.consume.query())).toEqual([]);
    expect(sessionIdOf(old.jar.get(SESSION_COOKIE) ?? '')).not.toBe(id);
    expect((await store.peek(`session:${id}`)).map((m) => m.message)).toEqual(['Saved long ago.']);
  });
});
