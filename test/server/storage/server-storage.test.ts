import { parseSetCookie } from 'cookie';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Messages } from '../../../server/messages/messages.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { MemoryStore } from '../../../server/stores/memory/memory-store.js';
import type { Message } from '../../../shared/message.js';
import { Browser } from '../../fixtures/request.js';
import { sessionIdOf } from '../../fixtures/session-cookie.js';
import { texts } from '../../fixtures/texts.js';
import { wrapStore } from '../../fixtures/wrapped-store.js';

const secret = 'x'.repeat(32);
const SESSION = 'messages_session';

/** A server storage over a store the test holds. */
function setup() {
  const store = new MemoryStore();
  return { store, storage: serverStorage({ secret, store }) };
}

/** The store key of a browser's session: its cookie's id (the part before the signature). */
function sessionKey(browser: Browser): string {
  const value = browser.jar.get(SESSION);
  if (value === undefined) throw new Error('the browser has no session cookie');
  return `session:${sessionIdOf(value)}`;
}

/** A store that fails every call with `Error('down')` while `down` is set. */
function flakyStore(inner = new MemoryStore()) {
  const state = { down: false };
  const store = wrapStore(inner, () => {
    if (state.down) throw new Error('down');
  });
  return { store, inner, state };
}

describe('serverStorage sets no cookie for a visitor without messages', () => {
  it('sets no cookie and touches no store when a request reads nothing and adds nothing', async () => {
    const { store, storage } = setup();
    const { setCookies } = await new Browser(storage).request(() => undefined);
    expect(setCookies).toEqual([]);
    expect(store.size).toBe(0);
  });

  it('sets no cookie when a visitor without a session consumes, peeks or counts', async () => {
    const { store, storage } = setup();
    const browser = new Browser(storage);
    const { result, setCookies } = await browser.request(async (m) => [
      await m.peek(),
      await m.count(),
      await m.consume(),
    ]);
    expect(result).toEqual([[], 0, []]);
    expect(setCookies).toEqual([]);
    expect(store.size).toBe(0);
  });

  it('sets no cookie for a message below the minimum level, which is not stored', async () => {
    const { store, storage } = setup();
    const { setCookies } = await new Browser(storage).request((m) => m.debug('hidden'));
    expect(setCookies).toEqual([]);
    expect(store.size).toBe(0);
  });
});

describe('serverStorage session cookie', () => {
  it('sets a signed HttpOnly session cookie with a 128-bit random id on the first stored message', async () => {
    const { storage } = setup();
    const browser = new Browser(storage);
    const { setCookies } = await browser.request((m) => m.success('Saved.'));
    expect(setCookies).toHaveLength(1);
    const cookie = parseSetCookie(setCookies[0] ?? '');
    expect(cookie).toMatchObject({ name: SESSION, httpOnly: true, path: '/', sameSite: 'lax' });
    const [id = '', issued = '', signature = ''] = (cookie.value ?? '').split('.');
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Number.parseInt(issued, 36) * 1000).toBeGreaterThan(Date.now() - 60_000);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('gives every browser a different session id', async () => {
    const { storage } = setup();
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const browser = new Browser(storage);
      await browser.request((m) => m.info('hello'));
      ids.add(sessionKey(browser));
    }
    expect(ids.size).toBe(20);
  });

  it('does not rewrite the cookie when a request of an existing session adds messages', async () => {
    const { store, storage } = setup();
    const browser = new Browser(storage);
    await browser.request((m) => m.info('first'));
    const { setCookies } = await browser.request((m) => m.info('second'));
    expect(setCookies).toEqual([]);
    expect(texts(await store.peek(sessionKey(browser)))).toEqual(['first', 'second']);
  });

  it('uses the configured cookie name', async () => {
    const storage = serverStorage({ secret, store: new MemoryStore(), cookie: { name: 'sid' } });
    const browser = new Browser(storage);
    await browser.request((m) => m.info('hello'));
    expect(browser.jar.get('sid')).toBeDefined();
    expect(browser.jar.get(SESSION)).toBeUndefined();
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual(['hello']);
  });

  it('accepts a session cookie signed with an older secret of the list', async () => {
    const store = new MemoryStore();
    const browser = new Browser(serverStorage({ secret: 'old'.repeat(11), store }));
    await browser.request((m) => m.info('before rotation'));
    const rotated = serverStorage({ secret: [secret, 'old'.repeat(11)], store });
    const next = new Browser(rotated);
    next.jar.set(SESSION, browser.jar.get(SESSION) ?? '');
    expect(texts((await next.request((m) => m.consume())).result)).toEqual(['before rotation']);
  });
});

describe('serverStorage delivery', () => {
  it('delivers messages to the next requests of the browser, once', async () => {
    const { store, storage } = setup();
    const browser = new Browser(storage);
    await browser.request((m) => {
      m.success('Saved.');
      m.warning('Almost full.', { extraTags: 'sticky' });
    });
    const { result } = await browser.request((m) => m.consume());
    expect(result).toEqual([
      expect.objectContaining({ message: 'Saved.', levelTag: 'success', tags: 'success' }),
      expect.objectContaining({ message: 'Almost full.', tags: 'sticky warning' }),
    ]);
    expect((await browser.request((m) => m.consume())).result).toEqual([]);
    expect(await store.peek(sessionKey(browser))).toEqual([]);
  });

  it('works with the default in-memory store', async () => {
    const browser = new Browser(serverStorage({ secret }));
    await browser.request((m) => m.info('hello'));
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual(['hello']);
  });

  it('keeps the messages of two browsers apart', async () => {
    const { storage } = setup();
    const alice = new Browser(storage);
    const bob = new Browser(storage);
    await alice.request((m) => m.info('for alice'));
    await bob.request((m) => m.info('for bob'));
    await alice.request((m) => m.info('for alice again'));
    expect(texts((await bob.request((m) => m.consume())).result)).toEqual(['for bob']);
    expect(texts((await alice.request((m) => m.consume())).result)).toEqual([
      'for alice',
      'for alice again',
    ]);
  });

  it('does not store the peeked messages again when a request peeks then adds', async () => {
    const { store, storage } = setup();
    const browser = new Browser(storage);
    await browser.request((m) => m.info('old'));
    const { result } = await browser.request(async (m) => {
      const peeked = await m.peek();
      m.info('new');
      return peeked;
    });
    expect(texts(result)).toEqual(['old']);
    expect(texts(await store.peek(sessionKey(browser)))).toEqual(['old', 'new']);
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual(['old', 'new']);
  });

  it('keeps a message added after a consume of the same request for the next request', async () => {
    const { storage } = setup();
    const browser = new Browser(storage);
    await browser.request((m) => m.info('old'));
    const { result } = await browser.request(async (m) => {
      const consumed = await m.consume();
      m.info('added after the read');
      return consumed;
    });
    expect(texts(result)).toEqual(['old']);
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual([
      'added after the read',
    ]);
  });

  it('stores nothing when a request adds then consumes its own message', async () => {
    const { store, storage } = setup();
    const browser = new Browser(storage);
    await browser.request((m) => m.info('old'));
    const { result, setCookies } = await browser.request(async (m) => {
      m.info('new');
      return m.consume();
    });
    expect(texts(result)).toEqual(['old', 'new']);
    expect(setCookies).toEqual([]);
    expect(await store.peek(sessionKey(browser))).toEqual([]);
  });

  it('keeps messages another request of the session added while this one held the store', async () => {
    const { storage } = setup();
    const browser = new Browser(storage);
    await browser.request((m) => m.info('old'));
    let consumed: Message[] = [];
    await browser.request(async (m) => {
      consumed = await m.consume();
      await browser.request((other) => other.info('from a parallel request'));
    });
    expect(texts(consumed)).toEqual(['old']);
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual([
      'from a parallel request',
    ]);
  });
});

describe('serverStorage with a forged session cookie', () => {
  async function victim() {
    const { store, storage } = setup();
    const browser = new Browser(storage);
    await browser.request((m) => m.info('private'));
    const cookie = browser.jar.get(SESSION) ?? '';
    return { store, storage, browser, cookie };
  }

  const flip = (char: string) => (char === 'A' ? 'B' : 'A');
  const forgeries: [string, (cookie: string) => string | Promise<string>][] = [
    ['garbage without a signature', () => 'garbage'],
    ['an id changed under its signature', (c) => flip(c[0] ?? '') + c.slice(1)],
    ['a signature changed', (c) => c.slice(0, -5) + flip(c.at(-5) ?? '') + c.slice(-4)],
    ['the id alone', (c) => c.slice(0, c.lastIndexOf('.'))],
    [
      'a cookie signed with another secret',
      async (c) => {
        // Same id, signed by a storage with another secret.
        const other = new Browser(serverStorage({ secret: 'y'.repeat(32) }));
        await other.request((m) => m.info('x'));
        const otherCookie = other.jar.get(SESSION) ?? '';
        return c.slice(0, c.lastIndexOf('.')) + otherCookie.slice(otherCookie.lastIndexOf('.'));
      },
    ],
  ];

  it.each(forgeries)('reads %s as no messages and clears it on consume', async (_name, forge) => {
    const { storage, browser, cookie } = await victim();
    const attacker = new Browser(storage);
    const forged = await forge(cookie);
    expect(forged).not.toBe(cookie);
    attacker.jar.set(SESSION, forged);
    const { result, setCookies } = await attacker.request((m) => m.consume());
    expect(result).toEqual([]);
    expect(setCookies).toHaveLength(1);
    expect(parseSetCookie(setCookies[0] ?? '')).toMatchObject({ name: SESSION, maxAge: 0 });
    expect(attacker.jar.get(SESSION)).toBeUndefined();
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual(['private']);
  });

  it('starts a fresh session, not the forged one, when a forged request adds a message', async () => {
    const { storage, browser, cookie } = await victim();
    const attacker = new Browser(storage);
    attacker.jar.set(SESSION, flip(cookie[0] ?? '') + cookie.slice(1));
    await attacker.request((m) => m.info('planted'));
    expect(attacker.jar.get(SESSION)).not.toBe(cookie);
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual(['private']);
    expect(texts((await attacker.request((m) => m.consume())).result)).toEqual(['planted']);
  });

  it('reads a validly signed but unknown session id as no messages, without error or cookie', async () => {
    // Same secret, another store: the id is signed correctly but the store never heard of it.
    const elsewhere = new Browser(serverStorage({ secret, store: new MemoryStore() }));
    await elsewhere.request((m) => m.info('elsewhere'));
    const { storage } = setup();
    const browser = new Browser(storage);
    browser.jar.set(SESSION, elsewhere.jar.get(SESSION) ?? '');
    const { result, setCookies } = await browser.request((m) => m.consume());
    expect(result).toEqual([]);
    expect(setCookies).toEqual([]);
    await browser.request((m) => m.info('now known'));
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual(['now known']);
  });
});

describe('serverStorage over a failing store', () => {
  it('rejects consume and update with the store error, removing nothing from the store', async () => {
    const { store, inner, state } = flakyStore();
    const browser = new Browser(serverStorage({ secret, store }));
    await browser.request((m) => m.info('stored before the outage'));
    state.down = true;
    await expect(
      browser.request(async (m) => {
        m.info('queued during the outage');
        await expect(m.consume()).rejects.toThrow('down');
      }),
    ).rejects.toThrow('down');
    expect(texts(await inner.peek(sessionKey(browser)))).toEqual(['stored before the outage']);
  });

  it('loses neither stored nor queued messages when a consume fails and the store comes back', async () => {
    const { store, state } = flakyStore();
    const browser = new Browser(serverStorage({ secret, store }));
    await browser.request((m) => m.info('stored'));
    await browser.request(async (m) => {
      m.info('queued');
      state.down = true;
      await expect(m.consume()).rejects.toThrow('down');
      state.down = false;
    });
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual(['stored', 'queued']);
  });

  it('rejects a consume of a store that is down even for a peek', async () => {
    const { store, state } = flakyStore();
    const browser = new Browser(serverStorage({ secret, store }));
    await browser.request((m) => m.info('stored'));
    state.down = true;
    await browser.request(async (m) => {
      await expect(m.peek()).rejects.toThrow('down');
      await expect(m.count()).rejects.toThrow('down');
    });
    state.down = false;
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual(['stored']);
  });
});

describe('serverStorage under concurrent requests of one session', () => {
  /** One request's work, picked by `kind`: adds and consumes in some order, with pauses. */
  async function work(m: Messages, kind: number, text: string, consumed: Message[]) {
    const pause = () => new Promise(setImmediate);
    switch (kind % 5) {
      case 0:
        m.info(text);
        break;
      case 1:
        await pause();
        consumed.push(...(await m.consume()));
        m.info(text);
        break;
      case 2:
        m.info(text);
        await pause();
        consumed.push(...(await m.consume()));
        break;
      case 3:
        await m.peek();
        await pause();
        m.info(text);
        break;
      default:
        consumed.push(...(await m.consume()));
        await pause();
        consumed.push(...(await m.consume()));
        m.info(text);
    }
    await pause();
  }

  it('delivers every message exactly once across 100 interleaved requests', async () => {
    const store = new MemoryStore({
      maxMessagesPerKey: 1000,
      onDrop: () => expect.fail('no message may be dropped'),
    });
    const browser = new Browser(serverStorage({ secret, store }));
    await browser.request((m) => m.info('seed'));
    const consumed: Message[] = [];
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        browser.request((m) => work(m, i * 7 + (i >> 2), `message ${i}`, consumed)),
      ),
    );
    expect(outcomes.flatMap((o) => o.setCookies)).toEqual([]);
    consumed.push(...(await browser.request((m) => m.consume())).result);
    const delivered = texts(consumed);
    expect(delivered).toHaveLength(101);
    expect(new Set(delivered)).toEqual(
      new Set(['seed', ...Array.from({ length: 100 }, (_, i) => `message ${i}`)]),
    );
  });

  it('delivers every message exactly once whatever order the store calls run in', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(4), { minLength: 1, maxLength: 12 }),
        fc.scheduler(),
        async (kinds, s) => {
          const inner = new MemoryStore({ maxMessagesPerKey: 1000 });
          // Every store call waits for the scheduler, which runs them in a random order.
          const later = (label: string) => s.schedule(Promise.resolve(), label);
          const store = wrapStore(inner, (op) => later(op));

          const browser = new Browser(serverStorage({ secret, store }));
          await s.waitFor(browser.request((m) => m.info('seed')));
          const consumed: Message[] = [];
          await s.waitFor(
            Promise.all(
              kinds.map((kind, i) => browser.request((m) => work(m, kind, `${i}`, consumed))),
            ),
          );
          consumed.push(...(await s.waitFor(browser.request((m) => m.consume()))).result);
          expect(texts(consumed).sort()).toEqual(['seed', ...kinds.map((_, i) => `${i}`)].sort());
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('serverStorage on responses whose headers leave first', () => {
  it('gives a browser without a session one as soon as the request opens', async () => {
    const { storage } = setup();
    const browser = new Browser(storage);
    const { setCookies } = await browser.request(() => undefined, { headersFirst: true });
    expect(setCookies).toHaveLength(1);
    expect(browser.jar.get(SESSION)).toBeDefined();
  });

  it('gives a session up front when asked to start one', async () => {
    const { storage } = setup();
    const browser = new Browser(storage);
    await browser.request((m) => m.consume(), { startSession: true });
    expect(browser.jar.get(SESSION)).toBeDefined();
  });

  it('keeps a valid session and sets no cookie when opening early', async () => {
    const { storage } = setup();
    const browser = new Browser(storage);
    await browser.request((m) => m.info('first'));
    const before = browser.jar.get(SESSION);
    const { setCookies } = await browser.request((m) => m.info('second'), { headersFirst: true });
    expect(setCookies).toEqual([]);
    expect(browser.jar.get(SESSION)).toBe(before);
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual(['first', 'second']);
  });

  it('replaces a forged session at open, so what the request adds is stored under the new one', async () => {
    const { storage } = setup();
    const browser = new Browser(storage);
    browser.jar.set(SESSION, 'forged.value');
    const { setCookies } = await browser.request((m) => m.info('kept'), { headersFirst: true });
    expect(setCookies).toHaveLength(1);
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual(['kept']);
  });

  it('lets a concurrent first visit share one session once it was started', async () => {
    const { storage } = setup();
    const browser = new Browser(storage);
    await browser.request((m) => m.consume(), { startSession: true });
    await Promise.all(['a', 'b', 'c'].map((text) => browser.request((m) => m.info(text))));
    expect(texts((await browser.request((m) => m.consume())).result).sort()).toEqual([
      'a',
      'b',
      'c',
    ]);
  });
});
