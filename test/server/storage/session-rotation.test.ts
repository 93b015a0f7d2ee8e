import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { MessageStorage } from '../../../server/storage/backend.js';
import { cookieStorage } from '../../../server/storage/cookie/cookie-storage.js';
import { fallbackStorage } from '../../../server/storage/fallback-storage.js';
import type { MessageStore } from '../../../server/storage/message-store.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { MemoryStore } from '../../../server/stores/memory/memory-store.js';
import { RedisStore } from '../../../server/stores/redis/redis-store.js';
import { startRedisServer } from '../../fixtures/redis-server.js';
import { Browser } from '../../fixtures/request.js';
import { SESSION_COOKIE, sessionIdOf } from '../../fixtures/session-cookie.js';
import { texts } from '../../fixtures/texts.js';

// Rotating a session while requests of the old one are in flight, on each storage with a
// session: nothing is lost, nothing is read under both ids, and a copy of the old cookie reads
// nothing more.

const secret = 'rotation-test-secret-0123456789abcdef';
const redis = await startRedisServer();
const closing: (() => unknown)[] = [];
afterAll(async () => {
  for (const close of closing.reverse()) await close();
  await redis?.stop();
});

/** A Redis store on the test's own redis-server. */
function redisStore(): MessageStore {
  if (!redis) throw new Error('no redis-server');
  const client = new Redis({ host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: 1 });
  const store = new RedisStore({ client });
  closing.push(
    () => client.disconnect(),
    () => store.close(),
  );
  return store;
}

const stores: { name: string; store: () => MessageStore; skip: boolean }[] = [
  { name: 'MemoryStore', store: () => new MemoryStore(), skip: false },
  { name: 'RedisStore', store: redisStore, skip: !redis },
];

/** Lets other requests run for `turns` turns of the microtask and macrotask queues. */
async function yieldTurns(turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A browser holding a copy of `other`'s session cookie. */
function copyOf(storage: MessageStorage, other: Browser): Browser {
  const copy = new Browser(storage);
  copy.jar.set(SESSION_COOKIE, other.jar.get(SESSION_COOKIE) ?? '');
  return copy;
}

describe.each(stores)('rotating a session over $name', ({ store: makeStore, skip }) => {
  describe.skipIf(skip)('', () => {
    it('loses no message a request in flight adds under the old id, and no copy of the old cookie reads one', async () => {
      const storage = serverStorage({ secret, store: makeStore() });
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.nat(4), { maxLength: 6 }),
          fc.nat(4),
          fc.constantFrom<'keep' | 'drop'>('keep', 'drop'),
          async (delays, rotationDelay, unread) => {
            const victim = new Browser(storage);
            await victim.request((m) => m.info('Before.'));
            const copy = copyOf(storage, victim);
            // Each request in flight is the victim's own, sent before the rotation's answer came.
            const inFlight = delays.map(async (delay, i) => {
              await yieldTurns(delay);
              await copyOf(storage, victim).request((m) => m.info(`In flight ${i}.`));
            });
            const rotation = (async () => {
              await yieldTurns(rotationDelay);
              await victim.request((m) => m.rotateSession({ unread }));
            })();
            await Promise.all([...inFlight, rotation]);

            const read = texts((await victim.request((m) => m.consume())).result);
            const added = delays.map((_, i) => `In flight ${i}.`);
            if (unread === 'keep') {
              // Those that reached the old id before the rotation moved with it, those after
              // followed it: the victim reads every one.
              expect([...read].sort()).toEqual(['Before.', ...added].sort());
            } else {
              // Dropped with the old id, or followed it: none is read twice, none invented.
              expect(read).not.toContain('Before.');
              expect(added).toEqual(expect.arrayContaining(read));
            }
            expect(new Set(read).size).toBe(read.length);
            expect(texts((await copy.request((m) => m.consume())).result)).toEqual([]);
            expect(texts((await victim.request((m) => m.consume())).result)).toEqual([]);
          },
        ),
        { numRuns: 30 },
      );
    });

    it('hands a signed-in browser its visitor session’s messages once, even with its first requests racing', async () => {
      const storage = serverStorage({ secret, store: makeStore() });
      const visitor = new Browser(storage);
      await visitor.request((m) => m.info('As a visitor.'));
      const copy = copyOf(storage, visitor);
      // Three first requests of the signed-in browser at once: each would move the session.
      const firsts = await Promise.all(
        [1, 2, 3].map(() =>
          copyOf(storage, visitor).request((m) => m.consume(), { userId: 'ada' }),
        ),
      );
      const read = firsts.flatMap(({ result }) => texts(result));
      expect(read).toEqual(['As a visitor.']);
      expect(texts((await copy.request((m) => m.consume())).result)).toEqual([]);
    });
  });
});

describe('rotating a session with the cookie and fallback storages', () => {
  it('keeps the cookie’s messages with the browser (they live in its cookie), or drops them when asked', async () => {
    const storage = cookieStorage({ secret });
    const browser = new Browser(storage);
    await browser.request((m) => m.info('In the cookie.'));
    await browser.request((m) => m.rotateSession());
    expect(texts((await browser.request((m) => m.peek())).result)).toEqual(['In the cookie.']);
    await browser.request((m) => m.rotateSession({ unread: 'drop' }));
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual([]);
  });

  it('with fallbackStorage, rotates the store’s session: a copy of the old cookie reads nothing from the store', async () => {
    const store = new MemoryStore();
    const storage = fallbackStorage({ secret, cookie: { maxBytes: 256 }, server: { store } });
    const browser = new Browser(storage);
    // Too long for a 256-byte cookie: kept in the store, under a session.
    await browser.request((m) => m.info('x'.repeat(300)));
    const oldSession = sessionIdOf(browser.jar.get(SESSION_COOKIE) ?? '');
    const copy = new Browser(storage);
    copy.jar.set(SESSION_COOKIE, browser.jar.get(SESSION_COOKIE) ?? '');

    await browser.request((m) => m.rotateSession());

    expect(sessionIdOf(browser.jar.get(SESSION_COOKIE) ?? '')).not.toBe(oldSession);
    expect(texts((await copy.request((m) => m.consume())).result)).toEqual([]);
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual(['x'.repeat(300)]);
  });

  it('with fallbackStorage, keeps a signed-in user’s messages in the store, never in the browser’s cookie', async () => {
    const store = new MemoryStore();
    const storage = fallbackStorage({ secret, server: { store } });
    const laptop = new Browser(storage);
    const { setCookies } = await laptop.request((m) => m.info('For the user.'), { userId: '7' });
    expect(setCookies).toEqual([]);
    expect(texts(await store.peek('user:7'))).toEqual(['For the user.']);
    const phone = new Browser(storage);
    expect(texts((await phone.request((m) => m.consume(), { userId: '7' })).result)).toEqual([
      'For the user.',
    ]);
  });
});
