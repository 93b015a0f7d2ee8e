import { deflateRawSync } from 'node:zlib';
import { parseSetCookie } from 'cookie';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NodeHmacKey } from '../../../../server/crypto/hmac.js';
import { Signer } from '../../../../server/crypto/signer.js';
import {
  type CookieExchange,
  createCookieExchange,
} from '../../../../server/http/cookie-exchange.js';
import { Messages } from '../../../../server/messages/messages.js';
import type { MessageStorage } from '../../../../server/storage/backend.js';
import { CookieBackend } from '../../../../server/storage/cookie/cookie-backend.js';
import { CookieFormat } from '../../../../server/storage/cookie/cookie-format.js';
import {
  cookieStorage,
  StreamedCookieError,
} from '../../../../server/storage/cookie/cookie-storage.js';
import { encodeMessages } from '../../../../server/storage/message-codec.js';
import { ERROR, INFO, SUCCESS, WARNING } from '../../../../shared/levels.js';
import type { StoredMessage } from '../../../../shared/message.js';
import { Browser } from '../../../fixtures/request.js';

const SECRET = 's'.repeat(32);
// The salt cookie-storage.ts signs under: needed to craft validly signed bad bodies by hand.
const COOKIE_SALT = 'trpc-messages.cookie';
// RFC 6265 cookie-octet: no CTLs, whitespace, double quote, comma, semicolon or backslash.
const COOKIE_OCTETS = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;

/** The raw value of the messages cookie in a response's Set-Cookie headers. */
function cookieValue(setCookies: readonly string[], name = 'messages'): string | undefined {
  for (const header of setCookies) {
    const cookie = parseSetCookie(header, { decode: (value) => value });
    if (cookie.name === name) return cookie.value ?? '';
  }
  return undefined;
}

/** Whether the response tells the browser to delete cookie `name`. */
function deletes(setCookies: readonly string[], name = 'messages'): boolean {
  return setCookies.some((header) => {
    const cookie = parseSetCookie(header);
    return cookie.name === name && cookie.value === '' && cookie.maxAge === 0;
  });
}

/** The body of a cookie value, before its issue time and signature: a format letter, then base64url. */
function bodyOf(value: string): string {
  return value.slice(0, value.indexOf('.'));
}

/** A validly signed cookie value around `body`, as only the secret's holder could make. */
function signBody(body: string, secret = SECRET): string {
  return new Signer(secret, COOKIE_SALT).sign(body);
}

const jsonBody = (json: string) => `j${Buffer.from(json).toString('base64url')}`;
const deflatedBody = (data: string | Buffer) => `z${deflateRawSync(data).toString('base64url')}`;

/** A request whose messages cookie holds exactly `value`, however unsafe, bypassing header parsing. */
function rawRequest(storage: MessageStorage, value: string) {
  const outgoing = new Map<string, string>();
  const exchange: CookieExchange = {
    secure: false,
    cookie: (name) => (name === 'messages' ? value : undefined),
    setCookie: (name, header) => outgoing.set(name, header),
  };
  return {
    exchange,
    messages: new Messages(storage.open(exchange)),
    setCookies: () => [...outgoing.values()],
  };
}

/** Deterministic text of `length` characters that deflate cannot squeeze much. */
function noise(seed: number, length: number, alphabet: readonly string[]): string {
  let state = seed >>> 0 || 1;
  let text = '';
  for (let i = 0; i < length; i += 1) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    text += alphabet[(state >>> 16) % alphabet.length];
  }
  return text;
}

const ASCII = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,;:!?"\\'];
const MULTIBYTE = [...'日本語の文字列ÄÖÜßéèàçñ€😀👍🏽🎉✓→ひらがなカタカナ한국어'];

/** A browser for `target` that starts with the messages cookie `from` holds. */
function sameCookies(target: MessageStorage, from: Browser): Browser {
  const next = new Browser(target);
  const value = from.jar.get('messages');
  if (value !== undefined) next.jar.set('messages', value);
  return next;
}

let storage: MessageStorage;
let browser: Browser;

beforeEach(() => {
  vi.stubEnv('NODE_ENV', 'test');
  storage = cookieStorage({ secret: SECRET });
  browser = new Browser(storage);
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('round trip', () => {
  it('returns the messages added in one request to the next, with level, text and tags', async () => {
    const first = await browser.request((messages) => {
      messages.success('Task saved.');
      messages.add(WARNING, 'Disk almost full.', { extraTags: 'sticky' });
      messages.info('Welcome back.');
      messages.error('Upload failed.', { extraTags: 'upload retry' });
    });
    expect(first.unstored).toEqual([]);
    expect(cookieValue(first.setCookies)).toMatch(/\S/);

    const { result } = await browser.request((messages) => messages.consume());
    expect(result).toEqual([
      {
        id: expect.any(String),
        level: SUCCESS,
        message: 'Task saved.',
        extraTags: '',
        levelTag: 'success',
        tags: 'success',
      },
      {
        id: expect.any(String),
        level: WARNING,
        message: 'Disk almost full.',
        extraTags: 'sticky',
        levelTag: 'warning',
        tags: 'sticky warning',
      },
      {
        id: expect.any(String),
        level: INFO,
        message: 'Welcome back.',
        extraTags: '',
        levelTag: 'info',
        tags: 'info',
      },
      {
        id: expect.any(String),
        level: ERROR,
        message: 'Upload failed.',
        extraTags: 'upload retry',
        levelTag: 'error',
        tags: 'upload retry error',
      },
    ]);
    expect(new Set(result.map((m) => m.id)).size).toBe(4);
  });

  it('keeps the ids a message was given when it was added', async () => {
    const first = await browser.request((messages) => {
      messages.success('Task saved.');
      return messages.peek();
    });
    const second = await browser.request((messages) => messages.consume());
    expect(second.result.map((m) => m.id)).toEqual(first.result.map((m) => m.id));
  });

  it('gives a third request nothing and deletes the cookie once emptied', async () => {
    await browser.request((messages) => messages.success('Task saved.'));
    const second = await browser.request((messages) => messages.consume());
    expect(second.result).toHaveLength(1);
    expect(deletes(second.setCookies)).toBe(true);
    expect(second.setCookies[0]).toMatch(
      /^messages=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970/,
    );
    expect(browser.jar.get('messages')).toBeUndefined();

    const third = await browser.request((messages) => messages.consume());
    expect(third.result).toEqual([]);
    expect(third.setCookies).toEqual([]);
  });

  it('keeps the stored messages and appends new ones when a request adds without reading', async () => {
    await browser.request((messages) => messages.success('first'));
    await browser.request((messages) => messages.info('second'));
    const { result } = await browser.request((messages) => messages.consume());
    expect(result.map((m) => m.message)).toEqual(['first', 'second']);
  });

  it('keeps only the messages added after a consume', async () => {
    await browser.request((messages) => messages.success('read now'));
    const second = await browser.request(async (messages) => {
      const read = await messages.consume();
      messages.info('for later');
      return read;
    });
    expect(second.result.map((m) => m.message)).toEqual(['read now']);
    const third = await browser.request((messages) => messages.consume());
    expect(third.result.map((m) => m.message)).toEqual(['for later']);
  });

  it('keeps messages that a request only peeked at', async () => {
    await browser.request((messages) => messages.success('still here'));
    const second = await browser.request(async (messages) => ({
      peeked: await messages.peek(),
      count: await messages.count(),
    }));
    expect(second.result.peeked.map((m) => m.message)).toEqual(['still here']);
    expect(second.result.count).toBe(1);
    const third = await browser.request((messages) => messages.consume());
    expect(third.result.map((m) => m.message)).toEqual(['still here']);
  });

  it('keeps peeked messages and new ones when a request peeks then adds', async () => {
    await browser.request((messages) => messages.success('old'));
    await browser.request(async (messages) => {
      await messages.peek();
      messages.info('new');
    });
    const { result } = await browser.request((messages) => messages.consume());
    expect(result.map((m) => m.message)).toEqual(['old', 'new']);
  });

  it('lets messages added and consumed within one request never reach the cookie', async () => {
    const { result, setCookies } = await browser.request((messages) => {
      messages.success('shown at once');
      return messages.consume();
    });
    expect(result.map((m) => m.message)).toEqual(['shown at once']);
    expect(setCookies).toEqual([]);
  });
});

describe('Set-Cookie only when something changed', () => {
  it('sends no Set-Cookie when a request without a messages cookie only consumes', async () => {
    const { result, setCookies } = await browser.request((messages) => messages.consume());
    expect(result).toEqual([]);
    expect(setCookies).toEqual([]);
  });

  it('sends no Set-Cookie when a request touches nothing', async () => {
    expect((await browser.request(() => undefined)).setCookies).toEqual([]);
    await browser.request((messages) => messages.success('waiting'));
    expect((await browser.request(() => undefined)).setCookies).toEqual([]);
  });

  it('sends no Set-Cookie when a request only peeks or counts', async () => {
    await browser.request((messages) => messages.success('waiting'));
    const peeked = await browser.request((messages) => messages.peek());
    expect(peeked.result).toHaveLength(1);
    expect(peeked.setCookies).toEqual([]);
    const counted = await browser.request((messages) => messages.count());
    expect(counted.result).toBe(1);
    expect(counted.setCookies).toEqual([]);
  });

  it('sends no Set-Cookie when a step leaves the messages as they were, seconds later', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const first = await browser.request((messages) => messages.success('waiting'));
      const value = cookieValue(first.setCookies) ?? '';
      // Signed again, the same messages would carry another issue time: the cookie stays as it is.
      vi.setSystemTime(Date.now() + 5000);
      const exchange = createCookieExchange(`messages=${value}`, { secure: false });
      // A step that changes nothing: it acknowledges an id the cookie does not hold.
      const messages = new Messages(storage.open(exchange), { delivery: { acks: ['elsewhere'] } });
      await messages.update();
      expect(exchange.setCookieHeaders()).toEqual([]);
      expect(await messages.peek()).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends no Set-Cookie when a request adds only ignored messages', async () => {
    const { setCookies } = await browser.request((messages) => {
      messages.debug('below the minimum level');
      messages.success('');
    });
    expect(setCookies).toEqual([]);
  });

  it('deletes the cookie when a request consumes the last messages', async () => {
    await browser.request((messages) => messages.success('last one'));
    const { setCookies } = await browser.request((messages) => messages.consume());
    expect(setCookies).toHaveLength(1);
    expect(deletes(setCookies)).toBe(true);
  });

  it('sets no other cookie than its own', async () => {
    browser.jar.set('session', 'abc');
    const { setCookies } = await browser.request((messages) => messages.success('hi'));
    expect(setCookies).toHaveLength(1);
    expect(setCookies[0]).toMatch(/^messages=/);
    expect(browser.jar.get('session')).toBe('abc');
  });
});

describe('bad cookies', () => {
  const valid = () =>
    new CookieFormat({ secret: SECRET }).encode(
      [{ id: 'a1', level: SUCCESS, message: 'genuine', extraTags: '' }],
      false,
    );

  it('reads values signed by hand with its salt (so the forgeries below are meaningful)', async () => {
    const json = '[["a1",25,"by hand"],["a2",30,"deflated","t"]]';
    for (const body of [jsonBody(json), deflatedBody(json)]) {
      const { messages } = rawRequest(storage, signBody(body));
      expect((await messages.consume()).map((m) => m.message)).toEqual(['by hand', 'deflated']);
    }
  });

  const badValues: ReadonlyArray<readonly [string, () => string]> = [
    [
      'with a tampered signature',
      () => `${valid().slice(0, -3)}${valid().endsWith('AAA') ? 'BBB' : 'AAA'}`,
    ],
    ['with a tampered body', () => `k${valid().slice(1)}`],
    ['truncated by one character', () => valid().slice(0, -1)],
    ['truncated to half', () => valid().slice(0, valid().length >> 1)],
    ['without its signature', () => bodyOf(valid())],
    ['of garbage', () => 'garbage'],
    ['of garbage with dots', () => 'a.b.c'],
    ['of garbage percent escapes', () => '%E0%A4%A'],
    ['that is empty', () => ''],
    ['of 100 KB', () => 'A'.repeat(100_000)],
    [
      'of 100 KB, validly signed',
      () =>
        signBody(
          jsonBody(
            encodeMessages([{ id: 'a', level: 25, message: 'x'.repeat(75_000), extraTags: '' }]),
          ),
        ),
    ],
    [
      'signed with another secret',
      () => signBody(jsonBody('[["a1",25,"forged"]]'), 'another secret'),
    ],
    ['signed, with a body that is not JSON', () => signBody(jsonBody('not json'))],
    ['signed, with an empty body', () => signBody('')],
    ['signed, with only a format letter', () => signBody('j')],
    [
      'signed, with an unknown format letter',
      () => signBody(`x${jsonBody('[["a1",25,"x"]]').slice(1)}`),
    ],
    ['signed, with JSON of the wrong shape', () => signBody(jsonBody('{"messages":[]}'))],
    ['signed, with a short entry', () => signBody(jsonBody('[["a1",25]]'))],
    ['signed, with the marker not last', () => signBody(jsonBody('[0,["a1",25,"x"]]'))],
    ['signed, with a non-integer level', () => signBody(jsonBody('[["a1",25.5,"x"]]'))],
    ['signed, with a string level', () => signBody(jsonBody('[["a1","25","x"]]'))],
    [
      'signed, with a body that does not inflate',
      () => signBody(`z${Buffer.from('not deflate').toString('base64url')}`),
    ],
    [
      'signed, with a body that inflates past the limit',
      () => signBody(deflatedBody(Buffer.alloc(1_000_000, 32))),
    ],
  ];

  it.each(badValues)(
    'reads a cookie %s as no messages and clears it once consumed',
    async (_, make) => {
      const value = make();
      const peeking = rawRequest(storage, value);
      await expect(peeking.messages.peek()).resolves.toEqual([]);
      await expect(peeking.messages.update()).resolves.toEqual([]);
      expect(peeking.setCookies()).toEqual([]);

      const consuming = rawRequest(storage, value);
      await expect(consuming.messages.consume()).resolves.toEqual([]);
      await expect(consuming.messages.update()).resolves.toEqual([]);
      expect(deletes(consuming.setCookies())).toBe(true);
    },
  );

  it.each(badValues)('replaces a cookie %s when a request adds a message', async (_, make) => {
    const adding = rawRequest(storage, make());
    adding.messages.success('fresh');
    await expect(adding.messages.update()).resolves.toEqual([]);
    const value = cookieValue(adding.setCookies());
    expect(value).toBeDefined();
    const next = rawRequest(storage, value ?? '');
    expect((await next.messages.consume()).map((m) => m.message)).toEqual(['fresh']);
  });

  it('reads bad cookies sent in a Cookie header as no messages', async () => {
    for (const [, make] of badValues) {
      const value = make();
      if (!COOKIE_OCTETS.test(value)) continue;
      browser.jar.set('messages', value);
      const { result, setCookies } = await browser.request((messages) => messages.consume());
      expect(result).toEqual([]);
      expect(deletes(setCookies)).toBe(true);
    }
  });

  it('never throws, whatever the cookie holds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), async (value) => {
        const { messages, setCookies } = rawRequest(storage, value);
        await expect(messages.consume()).resolves.toEqual([]);
        await messages.update();
        expect(deletes(setCookies())).toBe(true);
      }),
    );
  });
});

describe('tampering', () => {
  it('reads as no messages once any single character of a valid value changes', async () => {
    const first = await browser.request((messages) => {
      messages.success('Task saved.', { extraTags: 'sticky' });
      messages.warning('Check the date.');
    });
    const value = cookieValue(first.setCookies) ?? '';
    await expect(rawRequest(storage, value).messages.peek()).resolves.toHaveLength(2);

    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: value.length - 1 }),
        fc.oneof(
          fc.constantFrom(
            ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/',
          ),
          fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
        ),
        async (index, replacement) => {
          fc.pre(replacement !== value[index]);
          const tampered = value.slice(0, index) + replacement + value.slice(index + 1);
          const { messages, setCookies } = rawRequest(storage, tampered);
          await expect(messages.consume()).resolves.toEqual([]);
          await messages.update();
          expect(deletes(setCookies())).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads as no messages once a character is removed or inserted anywhere', async () => {
    const first = await browser.request((messages) => messages.success('Task saved.'));
    const value = cookieValue(first.setCookies) ?? '';
    for (let index = 0; index < value.length; index += 1) {
      const removed = value.slice(0, index) + value.slice(index + 1);
      await expect(rawRequest(storage, removed).messages.peek()).resolves.toEqual([]);
      const inserted = `${value.slice(0, index)}A${value.slice(index)}`;
      await expect(rawRequest(storage, inserted).messages.peek()).resolves.toEqual([]);
    }
  });
});

describe('the age of a cookie', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads as no messages, and clears, a value written longer ago than its maxAge', async () => {
    const aged = cookieStorage({ secret: SECRET, cookie: { maxAge: 3600 } });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 3600 * 1000 - 1000);
    const written = await new Browser(aged).request((m) => m.success('Saved an hour ago.'));
    vi.useRealTimers();
    const value = cookieValue(written.setCookies) ?? '';
    // Read by the process that wrote it (it remembers the value) and by another alike.
    for (const reader of [aged, cookieStorage({ secret: SECRET, cookie: { maxAge: 3600 } })]) {
      const { messages, setCookies } = rawRequest(reader, value);
      await expect(messages.consume()).resolves.toEqual([]);
      await messages.update();
      expect(deletes(setCookies())).toBe(true);
    }
  });

  it('reads a value written within its maxAge (default 14 days)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 13 * 24 * 3600 * 1000);
    const written = await new Browser(storage).request((m) => m.success('Saved 13 days ago.'));
    vi.useRealTimers();
    const value = cookieValue(written.setCookies) ?? '';
    await expect(
      rawRequest(cookieStorage({ secret: SECRET }), value).messages.peek(),
    ).resolves.toHaveLength(1);
  });
});

describe('secret rotation', () => {
  it('reads a cookie signed with an old secret when the storage lists it after the new one', async () => {
    const before = new Browser(cookieStorage({ secret: 'old' }));
    await before.request((messages) => messages.success('signed by old'));
    const after = sameCookies(cookieStorage({ secret: ['new', 'old'] }), before);
    const { result } = await after.request((messages) => messages.consume());
    expect(result.map((m) => m.message)).toEqual(['signed by old']);
  });

  it('signs new cookies with the first secret', async () => {
    const rotating = new Browser(cookieStorage({ secret: ['new', 'old'] }));
    const first = await rotating.request((messages) => messages.success('signed by new'));
    const value = cookieValue(first.setCookies) ?? '';

    const onlyNew = rawRequest(cookieStorage({ secret: 'new' }), value);
    expect((await onlyNew.messages.consume()).map((m) => m.message)).toEqual(['signed by new']);
    const onlyOld = rawRequest(cookieStorage({ secret: 'old' }), value);
    await expect(onlyOld.messages.consume()).resolves.toEqual([]);
  });

  it('re-signs an old cookie with the new secret when it changes', async () => {
    const before = new Browser(cookieStorage({ secret: 'old' }));
    await before.request((messages) => messages.success('one'));
    const during = sameCookies(cookieStorage({ secret: ['new', 'old'] }), before);
    await during.request((messages) => messages.info('two'));
    const after = sameCookies(cookieStorage({ secret: 'new' }), during);
    const { result } = await after.request((messages) => messages.consume());
    expect(result.map((m) => m.message)).toEqual(['one', 'two']);
  });

  it('reads no cookie signed with the same secret by a different storage kind', async () => {
    const sessionSigned = new Signer(SECRET, 'trpc-messages.session').sign(
      jsonBody('[["a1",25,"x"]]'),
    );
    await expect(rawRequest(storage, sessionSigned).messages.consume()).resolves.toEqual([]);
  });
});

describe('size budget', () => {
  /** Adds `texts` in one request; returns what it stored, the value and what was dropped. */
  async function addAll(texts: readonly string[]) {
    const outcome = await browser.request((messages) => {
      for (const text of texts) messages.success(text);
      return messages.peek();
    });
    const value = cookieValue(outcome.setCookies) ?? '';
    return { added: outcome.result, value, unstored: outcome.unstored };
  }

  async function expectNewestKept(
    added: readonly { id: string; message: string }[],
    unstored: readonly { id: string; message: string }[],
  ) {
    const { result: kept } = await browser.request((messages) => messages.consume());
    expect(kept.length).toBeGreaterThan(0);
    expect(unstored.length).toBeGreaterThan(0);
    // The newest, contiguous, in order; what update() returned is exactly the oldest rest.
    expect(kept.map((m) => m.id)).toEqual(added.slice(added.length - kept.length).map((m) => m.id));
    expect(unstored.map((m) => m.id)).toEqual(
      added.slice(0, added.length - kept.length).map((m) => m.id),
    );
    expect(kept.map((m) => m.message)).toEqual(
      added.slice(added.length - kept.length).map((m) => m.message),
    );
    return kept;
  }

  it('drops the oldest messages when the cookie would pass 2048 bytes', async () => {
    const texts = Array.from({ length: 60 }, (_, i) => noise(i + 1, 20 + ((i * 37) % 180), ASCII));
    const { added, value, unstored } = await addAll(texts);
    expect(Buffer.byteLength(value)).toBeLessThanOrEqual(2048);
    // Not wasteful: one more message (at most ~300 bytes encoded) would not have fitted.
    expect(value.length).toBeGreaterThan(2048 - 400);
    expect(COOKIE_OCTETS.test(value)).toBe(true);
    await expectNewestKept(added, unstored);
  });

  it('marks a cookie that dropped messages as not finished', async () => {
    const texts = Array.from({ length: 40 }, (_, i) => noise(i + 7, 150, ASCII));
    const { value } = await addAll(texts);
    expect(new CookieFormat({ secret: SECRET }).decode(value)?.notFinished).toBe(true);
  });

  it('drops older stored messages first when a later request adds more', async () => {
    const older = await addAll(Array.from({ length: 6 }, (_, i) => noise(i + 100, 150, ASCII)));
    expect(older.unstored).toEqual([]);
    const newer = await browser.request((messages) => {
      for (let i = 0; i < 8; i += 1) messages.info(noise(i + 200, 150, ASCII));
    });
    const dropped = newer.unstored.map((m) => m.id);
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped).toEqual(older.added.slice(0, dropped.length).map((m) => m.id));
    const { result } = await browser.request((messages) => messages.consume());
    expect(result.at(-1)?.message).toBe(noise(207, 150, ASCII));
    expect(result.length + dropped.length).toBe(14);
  });

  it('counts the budget in bytes, with multi-byte UTF-8 text', async () => {
    const texts = Array.from({ length: 50 }, (_, i) =>
      noise(i + 300, 10 + ((i * 13) % 70), MULTIBYTE),
    );
    const { added, value, unstored } = await addAll(texts);
    expect(Buffer.byteLength(value)).toBeLessThanOrEqual(2048);
    expect(COOKIE_OCTETS.test(value)).toBe(true);
    const kept = await expectNewestKept(added, unstored);
    // More UTF-16 units would fit than bytes: make sure the text really was multi-byte.
    const keptBytes = kept.reduce((sum, m) => sum + Buffer.byteLength(m.message), 0);
    const keptUnits = kept.reduce((sum, m) => sum + m.message.length, 0);
    expect(keptBytes).toBeGreaterThan(keptUnits);
  });

  it('honours a custom maxBytes', async () => {
    browser = new Browser(cookieStorage({ secret: SECRET, maxBytes: 256 }));
    const texts = Array.from({ length: 10 }, (_, i) => noise(i + 400, 40, ASCII));
    const { added, value, unstored } = await addAll(texts);
    expect(value.length).toBeLessThanOrEqual(256);
    await expectNewestKept(added, unstored);
  });

  it('drops a message that cannot fit even alone, and keeps the newer ones', async () => {
    const huge = noise(500, 3000, ASCII);
    const { added, unstored } = await addAll([huge, 'small one']);
    expect(unstored.map((m) => m.message)).toEqual([huge]);
    const { result } = await browser.request((messages) => messages.consume());
    expect(result.map((m) => m.id)).toEqual([added[1]?.id]);
  });

  it('stores nothing but drops a lone message that cannot fit', async () => {
    const huge = noise(501, 3000, ASCII);
    const { value, unstored } = await addAll([huge]);
    expect(unstored.map((m) => m.message)).toEqual([huge]);
    expect(value.length).toBeLessThanOrEqual(2048);
    const { result } = await browser.request((messages) => messages.consume());
    expect(result).toEqual([]);
  });

  it('compresses when that is shorter, so repetitive messages fit far more than 2048 raw bytes', async () => {
    const texts = Array.from(
      { length: 100 },
      () => 'Your changes to the project settings were saved.',
    );
    const { added, value, unstored } = await addAll(texts);
    expect(unstored).toEqual([]);
    expect(value.length).toBeLessThanOrEqual(2048);
    expect(encodeMessages(added).length).toBeGreaterThan(2 * 2048);
    expect(bodyOf(value)[0]).toBe('z');
    const { result } = await browser.request((messages) => messages.consume());
    expect(result.map((m) => m.id)).toEqual(added.map((m) => m.id));
  });

  it('never writes a compressed value too large to inflate when read back', async () => {
    // 40 texts of 8000 bytes: 320 KB of JSON that deflates to well under 2048 bytes.
    const texts = Array.from({ length: 40 }, () => 'x'.repeat(8000));
    const { added, value, unstored } = await addAll(texts);
    expect(value.length).toBeLessThanOrEqual(2048);
    const { result } = await browser.request((messages) => messages.consume());
    expect(result.length).toBeGreaterThan(0);
    expect(result.length + unstored.length).toBe(40);
    expect(result.map((m) => m.id)).toEqual(added.slice(unstored.length).map((m) => m.id));
  });

  it('stores messages as base64url JSON, uncompressed, as long as that fits, however repetitive', async () => {
    // Deflate would shorten these ten a lot, but they fit as they are: no deflate is paid for.
    const texts = Array.from({ length: 10 }, () => 'Your changes were saved.');
    const { added, value } = await addAll(texts);
    const body = bodyOf(value);
    expect(body[0]).toBe('j');
    expect(Buffer.from(body.slice(1), 'base64url').toString()).toBe(encodeMessages(added));
  });

  it('stores short messages as base64url JSON, uncompressed', async () => {
    const { added, value } = await addAll(['Task saved.']);
    const body = bodyOf(value);
    expect(body[0]).toBe('j');
    expect(Buffer.from(body.slice(1), 'base64url').toString()).toBe(encodeMessages(added));
  });

  it('throws a RangeError at construction for maxBytes below 256 or not an integer', () => {
    for (const maxBytes of [255, 0, -1, 2048.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => cookieStorage({ secret: SECRET, maxBytes }), String(maxBytes)).toThrow(
        RangeError,
      );
    }
    expect(() => cookieStorage({ secret: SECRET, maxBytes: 256 })).not.toThrow();
  });

  it('throws a RangeError at construction for maxBytes that browsers would not keep', () => {
    // Browsers drop a cookie whose name, '=' and value pass 4096 bytes.
    expect(() => cookieStorage({ secret: SECRET, maxBytes: 4087 })).not.toThrow();
    expect(() => cookieStorage({ secret: SECRET, maxBytes: 4088 })).toThrow(RangeError);
    expect(() => cookieStorage({ secret: SECRET, maxBytes: 30_000 })).toThrow(/4087/);
    const longName = { name: 'n'.repeat(100) };
    expect(() => cookieStorage({ secret: SECRET, maxBytes: 3995, cookie: longName })).not.toThrow();
    expect(() => cookieStorage({ secret: SECRET, maxBytes: 3996, cookie: longName })).toThrow(
      RangeError,
    );
  });

  it('reads back a cookie as large as the largest maxBytes allows', async () => {
    browser = new Browser(cookieStorage({ secret: SECRET, maxBytes: 4087 }));
    const texts = Array.from({ length: 40 }, (_, i) => noise(i + 600, 150, ASCII));
    const { added, value, unstored } = await addAll(texts);
    expect(value.length).toBeGreaterThan(3500);
    expect(value.length).toBeLessThanOrEqual(4087);
    const { result } = await browser.request((messages) => messages.consume());
    expect(result.map((m) => m.id)).toEqual(added.slice(unstored.length).map((m) => m.id));
  });
});

describe('RFC 6265 safety', () => {
  const tricky = [
    '\te,st',
    ';m"e',
    '’',
    '123"X"',
    'back\\slash \\\\ double',
    '😀 emoji 👍🏽 with a skin tone',
    'new\nline\r\nand\ttab',
    'a=b; c=d, e',
    ' leading and trailing space ',
    '%41 percent %E0%A4%A',
    'nul \u0000 and bell \u0007 and del \u007f',
    'lone surrogate \ud800 and \udc00',
    '<script>alert("x")</script>',
  ];

  it.each(tricky)('round-trips %j and keeps the value cookie-safe', async (text) => {
    const first = await browser.request((messages) => {
      messages.success(text, { extraTags: text });
    });
    const value = cookieValue(first.setCookies) ?? '';
    expect(value).toMatch(COOKIE_OCTETS);
    // Read by another process too, which decodes what the writer remembers.
    const elsewhere = await sameCookies(cookieStorage({ secret: SECRET }), browser).request(
      (messages) => messages.consume(),
    );
    const { result } = await browser.request((messages) => messages.consume());
    expect(elsewhere.result).toEqual(result);
    expect(result).toHaveLength(1);
    expect(result[0]?.message).toBe(text);
    expect(result[0]?.extraTags).toBe(text);
  });

  it('keeps a compressed value cookie-safe', async () => {
    const first = await browser.request((messages) => {
      for (let i = 0; i < 20; i += 1) messages.success(tricky.join(' | '));
    });
    const value = cookieValue(first.setCookies) ?? '';
    expect(bodyOf(value)[0]).toBe('z');
    expect(value).toMatch(COOKIE_OCTETS);
  });

  it('round-trips any unicode text with a cookie-safe value', async () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(text, { minLength: 1, maxLength: 5 }),
        text,
        async (texts, tags) => {
          const visitor = new Browser(storage);
          const first = await visitor.request((messages) => {
            for (const t of texts) messages.success(t, { extraTags: tags });
          });
          expect(first.unstored).toEqual([]);
          const value = cookieValue(first.setCookies) ?? '';
          expect(value).toMatch(COOKIE_OCTETS);
          const elsewhere = await sameCookies(cookieStorage({ secret: SECRET }), visitor).request(
            (messages) => messages.consume(),
          );
          const { result } = await visitor.request((messages) => messages.consume());
          expect(elsewhere.result).toEqual(result);
          expect(result.map((m) => m.message)).toEqual(texts);
          expect(result.map((m) => m.extraTags)).toEqual(texts.map(() => tags));
        },
      ),
    );
  });
});

describe('extra tags', () => {
  it.each([
    ['empty', { extraTags: '' }, '', 'success'],
    ['absent', undefined, '', 'success'],
    ['given', { extraTags: 'some tags' }, 'some tags', 'some tags success'],
  ] as const)(
    'round-trips %s extra tags and gives the right tags',
    async (_, options, extraTags, tags) => {
      await browser.request((messages) => messages.success('Saved.', options));
      const { result } = await browser.request((messages) => messages.consume());
      expect(result).toEqual([
        {
          id: expect.any(String),
          level: SUCCESS,
          message: 'Saved.',
          extraTags,
          levelTag: 'success',
          tags,
        },
      ]);
    },
  );
});

describe('cookie attributes', () => {
  /** The Set-Cookie header of a request over http or https that adds a message. */
  async function setCookieOf(target: MessageStorage, secure = false) {
    const exchange = createCookieExchange(undefined, { secure });
    const messages = new Messages(target.open(exchange));
    messages.success('hi');
    await messages.update();
    const setCookies = exchange.setCookieHeaders();
    expect(setCookies).toHaveLength(1);
    return setCookies[0] ?? '';
  }

  it('defaults to Path=/, HttpOnly, SameSite=Lax and no Secure on http', async () => {
    const header = await setCookieOf(storage);
    expect(parseSetCookie(header)).toEqual({
      name: 'messages',
      value: expect.any(String),
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
    });
  });

  it('adds Secure on https requests', async () => {
    expect(parseSetCookie(await setCookieOf(storage, true)).secure).toBe(true);
  });

  it('adds Secure when NODE_ENV is production', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const production = cookieStorage({ secret: SECRET });
    expect(parseSetCookie(await setCookieOf(production, false)).secure).toBe(true);
  });

  it('honours a custom name, path, domain, sameSite and maxAge, when setting and deleting', async () => {
    const custom = cookieStorage({
      secret: SECRET,
      cookie: {
        name: 'flash',
        path: '/app',
        domain: 'example.com',
        sameSite: 'strict',
        maxAge: 600,
      },
    });
    const visitor = new Browser(custom);
    const first = await visitor.request((messages) => messages.success('hi'));
    expect(parseSetCookie(first.setCookies[0] ?? '')).toEqual({
      name: 'flash',
      value: expect.any(String),
      path: '/app',
      domain: 'example.com',
      sameSite: 'strict',
      maxAge: 600,
      httpOnly: true,
    });
    expect(visitor.jar.get('flash')).toBeDefined();
    expect(visitor.jar.get('messages')).toBeUndefined();

    const second = await visitor.request((messages) => messages.consume());
    expect(second.result.map((m) => m.message)).toEqual(['hi']);
    expect(deletes(second.setCookies, 'flash')).toBe(true);
    expect(parseSetCookie(second.setCookies[0] ?? '')).toMatchObject({
      path: '/app',
      domain: 'example.com',
      sameSite: 'strict',
      maxAge: 0,
    });
  });

  it('throws at construction for an invalid cookie name', () => {
    for (const name of ['', 'has space', 'semi;colon', 'equals=sign']) {
      expect(() => cookieStorage({ secret: SECRET, cookie: { name } }), name).toThrow(TypeError);
    }
  });
});

describe('responses whose headers leave first', () => {
  it('refuses to read, since what it read could never be cleared', async () => {
    const browser = new Browser(storage);
    await browser.request((m) => m.info('pending'));
    await expect(
      browser.request((m) => m.consume(), { headersFirst: true }),
    ).rejects.toBeInstanceOf(StreamedCookieError);
    expect(browser.jar.get('messages')).toBeDefined();
  });

  it('refuses to store, naming the fix', async () => {
    const failure = await new Browser(storage)
      .request((m) => m.info('lost?'), { headersFirst: true })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StreamedCookieError);
    expect(String(failure)).toMatch(/splitLink/);
    expect(String(failure)).toMatch(/serverStorage\(\)/);
  });

  it('does nothing, and fails nothing, for a request that touches no messages', async () => {
    const { setCookies } = await new Browser(storage).request(() => undefined, {
      headersFirst: true,
    });
    expect(setCookies).toEqual([]);
  });
});

describe('CookieFormat, against the format of earlier versions', () => {
  const message = fc.record({
    id: fc.string({ minLength: 1, maxLength: 20 }),
    level: fc.integer({ min: 0, max: 100 }),
    message: fc.string({ unit: 'grapheme', maxLength: 60 }),
    extraTags: fc.string({ maxLength: 10 }),
  });
  // How earlier versions wrote the plain value: the JSON's UTF-8 bytes in base64url, signed.
  const earlier = (messages: Parameters<typeof encodeMessages>[0], notFinished: boolean) =>
    new Signer(SECRET, COOKIE_SALT).sign(
      `j${Buffer.from(encodeMessages(messages, notFinished)).toString('base64url')}`,
    );

  it('writes the body earlier versions wrote, its issue time after it, and reads theirs, for any messages that fit', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 8 }), fc.boolean(), (messages, notFinished) => {
        const format = new CookieFormat({ secret: SECRET });
        const value = earlier(messages, notFinished);
        if (value.length > format.maxBytes || (messages.length === 0 && !notFinished)) return;
        const written = format.encode(messages, notFinished);
        expect(bodyOf(written)).toBe(bodyOf(value));
        expect(written).toMatch(/^[jz][A-Za-z0-9_-]*\.[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
        // Read by a fresh format (another process: nothing remembered) and by the writer.
        const read = new CookieFormat({ secret: SECRET }).decode(value);
        expect(read?.messages).toEqual(messages);
        expect(read?.notFinished).toBe(notFinished);
        expect(format.decode(format.encode(messages, notFinished))?.messages).toEqual(messages);
      }),
      { numRuns: 200 },
    );
  });
});

describe('values it wrote, remembered', () => {
  /** The cookie value a fresh backend of `format` writes for one step adding `added`. */
  async function written(
    format: CookieFormat,
    added: StoredMessage[],
    lease?: { holder: string; ms: number },
  ): Promise<string | undefined> {
    const exchange = createCookieExchange('', { secure: false });
    await new CookieBackend(format, exchange, 'drop-oldest').commit({ added, lease });
    return cookieValue(exchange.setCookieHeaders());
  }

  // Mostly what Messages adds, now and then what decoding would not give back as it is.
  const rarely = <T, U>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<U>) =>
    fc.oneof({ weight: 30, arbitrary: usual }, { weight: 1, arbitrary: odd });
  const stored = fc.record({
    id: rarely(fc.string({ minLength: 1, maxLength: 12 }), fc.constant('')),
    level: rarely(fc.integer({ min: -50, max: 50 }), fc.constant(-0)),
    message: fc.string({ unit: 'grapheme', maxLength: 40 }),
    extraTags: fc.string({ maxLength: 8 }),
  });
  // Now and then a message with a part the compact form does not know of: the codec alone says
  // what such a value reads as.
  const message = rarely(
    stored,
    stored.map((m): StoredMessage => Object.assign({ note: 'x' }, m)),
  );
  const lease = fc.option(
    fc.record({
      holder: rarely(fc.string({ minLength: 1, maxLength: 6 }), fc.constant('')),
      ms: fc.oneof(
        { weight: 8, arbitrary: fc.integer({ min: 1, max: 60_000 }) },
        { weight: 1, arbitrary: fc.double() },
      ),
    }),
    { nil: undefined },
  );

  it('reads a value it wrote exactly as another process reads it, whatever it holds', async () => {
    const format = new CookieFormat({ secret: SECRET });
    await fc.assert(
      fc.asyncProperty(fc.array(message, { maxLength: 6 }), lease, async (added, held) => {
        const value = await written(format, added, held);
        if (value === undefined) return;
        const fresh = new CookieFormat({ secret: SECRET }).decode(value);
        expect(format.decode(value)).toEqual(fresh);
        if (fresh) expect(format.decode(value)?.messages).toStrictEqual(fresh.messages);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads a value it wrote without its HMAC, at any length, and another process with it', async () => {
    for (const count of [1, 10, 40]) {
      const format = new CookieFormat({ secret: SECRET });
      const added = Array.from({ length: count }, (_, i) => ({
        id: `m${i}`,
        level: SUCCESS,
        message: `Task ${i} saved.`,
        extraTags: '',
      }));
      const value = (await written(format, added)) ?? '';
      const hmac = vi.spyOn(NodeHmacKey.prototype, 'sign');
      expect(format.decode(value)?.messages).toEqual(added);
      expect(hmac).not.toHaveBeenCalled();
      expect(new CookieFormat({ secret: SECRET }).decode(value)?.messages).toEqual(added);
      expect(hmac).toHaveBeenCalledTimes(1);
      hmac.mockRestore();
    }
  });

  it('reads no altered copy of a value it remembers, whatever the messages and the change', async () => {
    const format = new CookieFormat({ secret: SECRET });
    const genuine = fc.array(
      stored.filter((m) => m.id !== ''),
      { minLength: 1, maxLength: 8 },
    );
    await fc.assert(
      fc.asyncProperty(
        genuine,
        fc.nat(),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }),
        async (added, at, change) => {
          const value = (await written(format, added)) ?? '';
          const index = at % value.length;
          const altered = [
            value.slice(0, index) + change + value.slice(index + 1),
            value.slice(0, index) + change + value.slice(index),
            value.slice(0, index) + value.slice(index + 1),
            value.slice(0, index),
          ];
          for (const copy of altered) {
            if (copy !== value) expect(format.decode(copy)).toBeUndefined();
          }
          expect(format.decode(value)?.messages).toHaveLength(added.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('lets no request change what another request reads from the same value', async () => {
    await browser.request((messages) => {
      messages.success('one');
      messages.warning('two');
    });
    const value = browser.jar.get('messages') ?? '';
    const peeking = storage.open(rawRequest(storage, value).exchange);
    const read = await peeking.peek();
    read.length = 0;
    const consuming = rawRequest(storage, value);
    expect((await consuming.messages.consume()).map((m) => m.message)).toEqual(['one', 'two']);
    await consuming.messages.update();
    // A second tab's request with the same cookie, at the same time: it still reads both.
    const racing = rawRequest(storage, value);
    expect((await racing.messages.peek()).map((m) => m.message)).toEqual(['one', 'two']);
  });
});
