import { randomBytes } from 'node:crypto';
import { parseSetCookie } from 'cookie';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CookieFormat } from '../../../server/storage/cookie/cookie-format.js';
import { fallbackStorage } from '../../../server/storage/fallback-storage.js';
import { Browser } from '../../fixtures/request.js';
import { sessionIdOf } from '../../fixtures/session-cookie.js';
import { texts } from '../../fixtures/texts.js';
import { countingStore } from '../../fixtures/wrapped-store.js';

const secret = 'x'.repeat(32);
const COOKIE = 'messages';
const SESSION = 'messages_session';

/** Text that does not compress, `length` characters long. */
const noise = (length: number) => randomBytes(length).toString('base64').slice(0, length);

function setup() {
  const counted = countingStore();
  const storage = fallbackStorage({ secret, server: { store: counted.store } });
  return { ...counted, browser: new Browser(storage), storage };
}

/** What the browser's messages cookie holds, decoded; undefined when it has none. */
function cookieOf(browser: Browser) {
  const value = browser.jar.get(COOKIE);
  return value === undefined ? undefined : new CookieFormat({ secret }).decode(value);
}

/** The store key of the browser's session: its cookie's id (before the signature). */
function sessionKey(browser: Browser): string {
  const value = browser.jar.get(SESSION);
  if (value === undefined) throw new Error('the browser has no session cookie');
  return `session:${sessionIdOf(value)}`;
}

const names = (setCookies: readonly string[]) => setCookies.map((h) => parseSetCookie(h).name);
const deleted = (setCookies: readonly string[], name: string) =>
  setCookies.some((h) => {
    const cookie = parseSetCookie(h);
    return cookie.name === name && cookie.maxAge === 0;
  });

/** Ten messages of 300 characters that do not compress: more than a 2048-byte cookie holds. */
const overflowing = () => Array.from({ length: 10 }, (_, i) => `${i} ${noise(300)}`);

describe('fallbackStorage with messages that fit the cookie', () => {
  it('keeps them in the cookie alone: no session cookie, no store call', async () => {
    const { browser, inner, total } = setup();
    const { setCookies, unstored } = await browser.request((m) => {
      m.info('one');
      m.success('two');
    });
    expect(names(setCookies)).toEqual([COOKIE]);
    expect(unstored).toEqual([]);
    expect(cookieOf(browser)).toMatchObject({ notFinished: false });
    expect(texts(cookieOf(browser)?.messages ?? [])).toEqual(['one', 'two']);
    expect(inner.size).toBe(0);
    expect(total()).toBe(0);
  });

  it('reads them from the cookie without reading the store, then deletes the cookie', async () => {
    const { browser, total } = setup();
    await browser.request((m) => {
      m.info('one');
      m.success('two');
    });
    const peeked = await browser.request((m) => m.peek());
    expect(texts(peeked.result)).toEqual(['one', 'two']);
    expect(peeked.setCookies).toEqual([]);
    const consumed = await browser.request((m) => m.consume());
    expect(texts(consumed.result)).toEqual(['one', 'two']);
    expect(names(consumed.setCookies)).toEqual([COOKIE]);
    expect(deleted(consumed.setCookies, COOKIE)).toBe(true);
    expect(browser.jar.get(COOKIE)).toBeUndefined();
    expect((await browser.request((m) => m.consume())).result).toEqual([]);
    expect(total()).toBe(0);
  });

  it('sets no cookie and touches no store for a visitor without messages', async () => {
    const { browser, total } = setup();
    const { result, setCookies } = await browser.request((m) => m.consume());
    expect(result).toEqual([]);
    expect(setCookies).toEqual([]);
    expect(total()).toBe(0);
  });

  it('adds to the messages already in the cookie, in order, without the store', async () => {
    const { browser, total } = setup();
    await browser.request((m) => m.info('one'));
    await browser.request((m) => m.info('two'));
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual(['one', 'two']);
    expect(total()).toBe(0);
  });

  it('reads a tampered messages cookie as no messages, clears it, and leaves the store alone', async () => {
    const { browser, total } = setup();
    await browser.request((m) => m.info('one'));
    const value = browser.jar.get(COOKIE) ?? '';
    browser.jar.set(COOKIE, `${value.slice(0, 4)}${value[4] === 'A' ? 'B' : 'A'}${value.slice(5)}`);
    const { result, setCookies } = await browser.request((m) => m.consume());
    expect(result).toEqual([]);
    expect(deleted(setCookies, COOKIE)).toBe(true);
    expect(total()).toBe(0);
  });
});

describe('fallbackStorage with messages that overflow the cookie', () => {
  it('keeps the oldest in the cookie, marked not finished, and the newest in the store', async () => {
    const { browser, inner } = setup();
    const sent = overflowing();
    const { setCookies, unstored } = await browser.request((m) => {
      for (const text of sent) m.info(text);
    });
    expect(unstored).toEqual([]);
    expect(names(setCookies).sort()).toEqual([COOKIE, SESSION].sort());
    const cookie = cookieOf(browser);
    expect(cookie?.notFinished).toBe(true);
    const inCookie = texts(cookie?.messages ?? []);
    const inStore = texts(await inner.peek(sessionKey(browser)));
    expect(inCookie.length).toBeGreaterThan(0);
    expect(inStore.length).toBeGreaterThan(0);
    expect([...inCookie, ...inStore]).toEqual(sent);
    expect(browser.jar.get(COOKIE)?.length).toBeLessThanOrEqual(2048);
  });

  it('returns all messages in their original order on the next read, then flushes both', async () => {
    const { browser, inner } = setup();
    const sent = overflowing();
    await browser.request((m) => {
      for (const text of sent) m.info(text);
    });
    const id = sessionKey(browser);
    const { result, setCookies } = await browser.request((m) => m.consume());
    expect(texts(result)).toEqual(sent);
    expect(deleted(setCookies, COOKIE)).toBe(true);
    expect(browser.jar.get(COOKIE)).toBeUndefined();
    expect(await inner.peek(id)).toEqual([]);
    expect((await browser.request((m) => m.consume())).result).toEqual([]);
  });

  it('sends one message too big for the cookie to the store, leaving only the marker in the cookie', async () => {
    const { browser, inner } = setup();
    const huge = noise(3000);
    await browser.request((m) => m.info(huge));
    expect(cookieOf(browser)).toEqual({ messages: [], notFinished: true });
    expect(texts(await inner.peek(sessionKey(browser)))).toEqual([huge]);
    const { result, setCookies } = await browser.request((m) => m.consume());
    expect(texts(result)).toEqual([huge]);
    expect(deleted(setCookies, COOKIE)).toBe(true);
    expect(await inner.peek(sessionKey(browser))).toEqual([]);
  });

  it('sends messages added while the cookie is overflowed to the store, keeping the order', async () => {
    const { browser, inner } = setup();
    const sent = overflowing();
    await browser.request((m) => {
      for (const text of sent) m.info(text);
    });
    const cookieBefore = browser.jar.get(COOKIE);
    const storedBefore = texts(await inner.peek(sessionKey(browser)));
    const { setCookies } = await browser.request((m) => m.info('late'));
    // The cookie cannot take it: it would be read before older messages in the store.
    expect(setCookies).toEqual([]);
    expect(browser.jar.get(COOKIE)).toBe(cookieBefore);
    expect(texts(await inner.peek(sessionKey(browser)))).toEqual([...storedBefore, 'late']);
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual([...sent, 'late']);
  });

  it('does not duplicate the messages a request peeked at before adding one', async () => {
    const { browser } = setup();
    const sent = overflowing();
    await browser.request((m) => {
      for (const text of sent) m.info(text);
    });
    const { result } = await browser.request(async (m) => {
      const peeked = await m.peek();
      m.info('late');
      return peeked;
    });
    expect(texts(result)).toEqual(sent);
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual([...sent, 'late']);
  });

  it('keeps a message added after the read in the cookie, with the store flushed', async () => {
    const { browser, inner } = setup();
    await browser.request((m) => {
      for (const text of overflowing()) m.info(text);
    });
    const id = sessionKey(browser);
    await browser.request(async (m) => {
      await m.consume();
      m.info('after the read');
    });
    expect(cookieOf(browser)).toMatchObject({ notFinished: false });
    expect(texts(cookieOf(browser)?.messages ?? [])).toEqual(['after the read']);
    expect(await inner.peek(id)).toEqual([]);
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual(['after the read']);
  });
});

describe('fallbackStorage reads the store only for browsers it gave a session', () => {
  it('never touches the store for a browser whose messages always fitted the cookie', async () => {
    const { browser, total } = setup();
    for (let i = 0; i < 5; i += 1) {
      await browser.request((m) => m.info(`small ${i}`));
      await browser.request(async (m) => [await m.peek(), await m.consume()]);
    }
    expect(total()).toBe(0);
  });

  it('reads the store of a browser with a session even when the cookie says it holds everything', async () => {
    const { browser, calls } = setup();
    await browser.request((m) => {
      for (const text of overflowing()) m.info(text);
    });
    await browser.request((m) => m.consume());
    // The session cookie is still there: a streamed response may have stored messages since.
    await browser.request((m) => m.info('small'));
    const { result } = await browser.request((m) => m.consume());
    expect(texts(result)).toEqual(['small']);
    expect(calls.take).toBe(2);
  });

  it('reads the store once per mode when the cookie says it was not finished', async () => {
    const { browser, calls } = setup();
    await browser.request((m) => {
      for (const text of overflowing()) m.info(text);
    });
    await browser.request(async (m) => [await m.peek(), await m.count()]);
    expect(calls).toMatchObject({ peek: 1, take: 0 });
    await browser.request((m) => m.consume());
    expect(calls).toMatchObject({ peek: 1, take: 1 });
  });

  it('shows what the cookie holds when the store fails during a read, and loses nothing', async () => {
    const errors: unknown[] = [];
    const { browser, state } = setup();
    const sent = overflowing();
    await browser.request((m) => {
      for (const text of sent) m.info(text);
    });
    const inCookie = cookieOf(browser)?.messages.length ?? 0;
    expect(inCookie).toBeGreaterThan(0);
    state.down = true;
    const { result } = await browser.request((m) => m.consume(), {
      onError: (e) => errors.push(e),
    });
    expect(texts(result)).toEqual(sent.slice(0, inCookie));
    expect(errors).toEqual([new Error('down')]);
    state.down = false;
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual(sent.slice(inCookie));
  });

  it('keeps in the cookie what the store cannot take while it is down, oldest first, dropping the newest that do not fit', async () => {
    const errors: unknown[] = [];
    const { browser, state } = setup();
    state.down = true;
    const sent = overflowing();
    const { unstored } = await browser.request(
      (m) => {
        for (const text of sent) m.info(text);
      },
      { onError: (e) => errors.push(e) },
    );
    expect(errors).toEqual([new Error('down')]);
    const kept = cookieOf(browser)?.messages.map((m) => m.message) ?? [];
    expect(kept.length).toBeGreaterThan(0);
    expect([...kept, ...texts(unstored)]).toEqual(sent);
    state.down = false;
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual(kept);
  });

  it("keeps the cookie's own messages while the store is down: newer ones that do not fit after them are dropped", async () => {
    const { browser, state } = setup();
    const held = ['held 1', 'held 2', 'held 3'];
    await browser.request((m) => {
      for (const text of held) m.info(text);
    });
    state.down = true;
    const sent = overflowing();
    const { unstored } = await browser.request(
      (m) => {
        for (const text of sent) m.info(text);
      },
      { onError: () => {} },
    );
    const kept = cookieOf(browser)?.messages.map((m) => m.message) ?? [];
    expect(kept.slice(0, held.length)).toEqual(held);
    expect([...kept.slice(held.length), ...texts(unstored)]).toEqual(sent);
    expect(texts(unstored).length).toBeGreaterThan(0);
  });
});

describe('fallbackStorage over any sequence of requests', () => {
  type Step =
    | { readonly kind: 'add'; readonly sizes: number[] }
    | { readonly kind: 'consume' }
    | { readonly kind: 'consume-then-add'; readonly sizes: number[] }
    | { readonly kind: 'peek-then-add'; readonly sizes: number[] };
  const sizes = fc.array(fc.constantFrom(5, 300, 1500, 3000), { minLength: 1, maxLength: 6 });
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('add' as const), sizes }),
    fc.record({ kind: fc.constant('consume' as const) }),
    fc.record({ kind: fc.constant('consume-then-add' as const), sizes }),
    fc.record({ kind: fc.constant('peek-then-add' as const), sizes }),
  );

  it('delivers every message once, in the order added, and ends with both backends empty', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 8 }), async (steps) => {
        const { browser, inner } = setup();
        let pending: string[] = [];
        let n = 0;
        const fresh = (lengths: number[]) => lengths.map((length) => `${n++} ${noise(length)}`);
        for (const s of steps) {
          if (s.kind === 'add') {
            const added = fresh(s.sizes);
            await browser.request((m) => {
              for (const text of added) m.info(text);
            });
            pending.push(...added);
          } else if (s.kind === 'consume') {
            expect(texts((await browser.request((m) => m.consume())).result)).toEqual(pending);
            pending = [];
          } else if (s.kind === 'consume-then-add') {
            const added = fresh(s.sizes);
            const { result } = await browser.request(async (m) => {
              const consumed = await m.consume();
              for (const text of added) m.info(text);
              return consumed;
            });
            expect(texts(result)).toEqual(pending);
            pending = added;
          } else {
            const added = fresh(s.sizes);
            const { result } = await browser.request(async (m) => {
              const peeked = await m.peek();
              for (const text of added) m.info(text);
              return peeked;
            });
            expect(texts(result)).toEqual(pending);
            pending.push(...added);
          }
          const value = browser.jar.get(COOKIE);
          if (value !== undefined) expect(value.length).toBeLessThanOrEqual(2048);
        }
        expect(texts((await browser.request((m) => m.consume())).result)).toEqual(pending);
        expect(browser.jar.get(COOKIE)).toBeUndefined();
        if (browser.jar.get(SESSION) !== undefined) {
          expect(await inner.peek(sessionKey(browser))).toEqual([]);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('fallbackStorage on responses whose headers leave first', () => {
  it('keeps what a streamed request adds in the store, and sets only the session cookie', async () => {
    const { browser, calls } = setup();
    const { setCookies } = await browser.request((m) => m.success('streamed'), {
      headersFirst: true,
    });
    expect(names(setCookies)).toEqual([SESSION]);
    expect(calls.append).toBe(1);
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual(['streamed']);
  });

  it('leaves what the cookie holds for a later request, which it could not clear', async () => {
    const { browser } = setup();
    await browser.request((m) => m.info('in the cookie'));
    const streamed = await browser.request((m) => m.consume(), { headersFirst: true });
    expect(streamed.result).toEqual([]);
    expect(texts((await browser.request((m) => m.consume())).result)).toEqual(['in the cookie']);
  });
});
