import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Backend, Storage } from '../../../server/storage/backend.js';
import { createCookieExchange } from '../../../server/storage/cookie-exchange.js';
import { cookieStorage } from '../../../server/storage/cookie-storage.js';
import { MemoryStore } from '../../../server/storage/memory-store.js';
import type { StoreChange } from '../../../server/storage/message-store.js';
import { Messages, type MessagesOptions } from '../../../server/storage/messages.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import {
  DEBUG,
  defineTags,
  ERROR,
  INFO,
  type Message,
  SUCCESS,
  WARNING,
} from '../../../shared/index.js';
import { recordingStorage } from '../../fixtures/recording-storage.js';
import { Browser } from '../../fixtures/request.js';
import { texts } from '../../fixtures/texts.js';

const secret = 'messages-test-secret-of-32-chars!';

/** A browser's successive requests against `storage`, as a function. */
function browser(storage: Storage, options?: MessagesOptions) {
  const client = new Browser(storage, options);
  return <T>(work: (messages: Messages) => T | Promise<T>) => client.request(work);
}

/** `inner` with each backend's commit done by `commit`, which may break or hold it. */
function withCommit(
  inner: Storage,
  commit: (change: StoreChange, backend: Backend) => ReturnType<Backend['commit']>,
): Storage {
  return {
    open(exchange) {
      const backend = inner.open(exchange);
      return { peek: () => backend.peek(), commit: (change) => commit(change, backend) };
    },
  };
}

const storages = {
  cookie: () => cookieStorage({ secret }),
  server: () => serverStorage({ secret, store: new MemoryStore() }),
};

describe.each(Object.entries(storages))('Messages over %s storage', (_name, makeStorage) => {
  it('delivers a message added in one request to the next request, once', async () => {
    const request = browser(makeStorage());
    await request((m) => m.success('Saved.'));
    expect(texts((await request((m) => m.consume())).result)).toEqual(['Saved.']);
    expect((await request((m) => m.consume())).result).toEqual([]);
  });

  it('returns messages added in the same request when it consumes, and stores nothing', async () => {
    const storage = recordingStorage(makeStorage());
    const request = browser(storage);
    const { result } = await request(async (m) => {
      m.info('one');
      m.warning('two');
      return m.consume();
    });
    expect(texts(result)).toEqual(['one', 'two']);
    expect(storage.added().flat()).toEqual([]);
    expect((await request((m) => m.consume())).result).toEqual([]);
  });

  it('stores only what was added after the read when a request reads then adds', async () => {
    const request = browser(makeStorage());
    await request((m) => m.info('old'));
    const { result } = await request(async (m) => {
      const read = await m.consume();
      m.success('new');
      return read;
    });
    expect(texts(result)).toEqual(['old']);
    expect(texts((await request((m) => m.consume())).result)).toEqual(['new']);
  });

  it('keeps the loaded messages and the new ones when a request adds without reading', async () => {
    const request = browser(makeStorage());
    await request((m) => m.info('first'));
    await request((m) => m.info('second'));
    expect(texts((await request((m) => m.consume())).result)).toEqual(['first', 'second']);
  });

  it('does no I/O and sets no cookie for a request that touches nothing', async () => {
    const storage = recordingStorage(makeStorage());
    const request = browser(storage);
    await request((m) => m.success('pending'));
    storage.calls.length = 0;
    const { setCookies } = await request(() => undefined);
    expect(storage.calls).toEqual([]);
    expect(setCookies).toEqual([]);
  });

  it('does not consume on peek or count', async () => {
    const request = browser(makeStorage());
    await request((m) => m.error('Failed.'));
    const { result, setCookies } = await request(async (m) => [await m.count(), await m.peek()]);
    expect(result[0]).toBe(1);
    expect(texts(result[1] as Message[])).toEqual(['Failed.']);
    expect(setCookies).toEqual([]);
    expect(texts((await request((m) => m.consume())).result)).toEqual(['Failed.']);
  });

  it('does not duplicate peeked messages when the request also adds', async () => {
    const request = browser(makeStorage());
    await request((m) => m.info('a'));
    await request(async (m) => {
      await m.peek();
      m.info('b');
    });
    expect(texts((await request((m) => m.consume())).result)).toEqual(['a', 'b']);
  });

  it('consumes what was peeked earlier in the same request', async () => {
    const request = browser(makeStorage());
    await request((m) => m.info('a'));
    const { result } = await request(async (m) => {
      await m.peek();
      return m.consume();
    });
    expect(texts(result)).toEqual(['a']);
    expect((await request((m) => m.consume())).result).toEqual([]);
  });

  it('hands each message to one of two consumes racing in one request', async () => {
    const request = browser(makeStorage());
    await request((m) => {
      m.info('a');
      m.info('b');
    });
    const { result } = await request((m) => Promise.all([m.consume(), m.consume()]));
    expect(texts(result.flat()).sort()).toEqual(['a', 'b']);
  });

  it('persists again when work continues after an update', async () => {
    const request = browser(makeStorage());
    await request(async (m) => {
      m.info('first');
      await m.update();
      m.info('second');
    });
    expect(texts((await request((m) => m.consume())).result)).toEqual(['first', 'second']);
  });
});

describe('update', () => {
  it('keeps the messages queued when the backend fails to store them, so a retry stores them', async () => {
    const inner = serverStorage({ secret, store: new MemoryStore() });
    let failures = 1;
    const flaky = withCommit(inner, (change, backend) =>
      failures-- > 0 ? Promise.reject(new Error('store is down')) : backend.commit(change),
    );
    const request = browser(flaky);
    await request(async (m) => {
      m.success('Saved.');
      await expect(m.update()).rejects.toThrow('store is down');
    });
    expect(texts((await request((m) => m.consume())).result)).toEqual(['Saved.']);
  });
});

describe('minimum level', () => {
  const request = (options?: MessagesOptions) => browser(cookieStorage({ secret }), options);

  it('drops DEBUG and keeps INFO and above by default', async () => {
    const { result } = await request()(async (m) => {
      expect(m.level).toBe(INFO);
      m.debug('d');
      m.info('i');
      m.success('s');
      m.warning('w');
      m.error('e');
      return m.consume();
    });
    expect(texts(result)).toEqual(['i', 's', 'w', 'e']);
  });

  it('keeps DEBUG once the request lowers the level', async () => {
    const { result } = await request()(async (m) => {
      m.level = DEBUG;
      m.debug('d');
      return m.consume();
    });
    expect(texts(result)).toEqual(['d']);
  });

  it('drops messages below a raised level', async () => {
    const { result } = await request()(async (m) => {
      m.level = WARNING;
      m.info('i');
      m.success('s');
      m.warning('w');
      return m.consume();
    });
    expect(texts(result)).toEqual(['w']);
  });

  it('takes the configured level as the default', async () => {
    const { result } = await request({ level: SUCCESS })(async (m) => {
      expect(m.level).toBe(SUCCESS);
      m.info('i');
      m.success('s');
      return m.consume();
    });
    expect(texts(result)).toEqual(['s']);
  });

  it("goes back to the app's level when set to undefined (Django's set_level(None))", async () => {
    const { result } = await request({ level: SUCCESS })(async (m) => {
      m.level = DEBUG;
      m.level = undefined;
      expect(m.level).toBe(SUCCESS);
      m.info('i');
      m.success('s');
      return m.consume();
    });
    expect(texts(result)).toEqual(['s']);
  });

  it('applies to messages when added, not when read', async () => {
    const go = request();
    await go(async (m) => {
      m.info('kept');
    });
    const { result } = await go(async (m) => {
      m.level = ERROR;
      return m.consume();
    });
    expect(texts(result)).toEqual(['kept']);
  });

  it('rejects a level that is not a safe integer, naming it', () => {
    const messages = new Messages(
      cookieStorage({ secret }).open(createCookieExchange('', { secure: false })),
    );
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 2.5, '20', null]) {
      expect(() => {
        messages.level = bad as number;
      }).toThrow(TypeError);
    }
    expect(() => {
      messages.level = 2.5;
    }).toThrow(/2\.5/);
    expect(
      () =>
        new Messages(cookieStorage({ secret }).open(createCookieExchange('', { secure: false })), {
          level: Number.NaN,
        }),
    ).toThrow(/NaN/);
  });
});

describe('add', () => {
  const fresh = (options?: MessagesOptions) =>
    new Messages(
      cookieStorage({ secret }).open(createCookieExchange('', { secure: false })),
      options,
    );

  it('ignores an empty message', async () => {
    const messages = fresh();
    messages.info('');
    expect(await messages.count()).toBe(0);
  });

  it('gives every message a unique id', async () => {
    const messages = fresh();
    for (let i = 0; i < 1000; i += 1) messages.info(`m${i}`);
    const ids = (await messages.peek()).map((m) => m.id);
    expect(new Set(ids).size).toBe(1000);
  });

  it('rejects a level that is not a safe integer with a TypeError naming the value', () => {
    const messages = fresh();
    expect(() => messages.add(Number.NaN as 20, 'x')).toThrow(TypeError);
    expect(() => messages.add(Number.NaN as 20, 'x')).toThrow(/NaN/);
    expect(() => messages.add('20' as unknown as 20, 'x')).toThrow(/"20"/);
    expect(() => messages.add(Number.POSITIVE_INFINITY as 20, 'x')).toThrow(/Infinity/);
    expect(() => messages.add((2 ** 60) as 20, 'x')).toThrow(TypeError);
  });

  it('rejects a message that is not a string', () => {
    const messages = fresh();
    expect(() => messages.info(42 as unknown as string)).toThrow(TypeError);
    expect(() => messages.info(undefined as unknown as string)).toThrow(/string/);
  });

  it('rejects extra tags that are not a string', () => {
    expect(() => fresh().info('x', { extraTags: 1 as unknown as string })).toThrow(TypeError);
  });

  it('rejects a message over 8 KiB of UTF-8 with a RangeError naming the limit', () => {
    const messages = fresh();
    expect(() => messages.info('a'.repeat(8192))).not.toThrow();
    expect(() => messages.info('a'.repeat(8193))).toThrow(RangeError);
    expect(() => messages.info('a'.repeat(8193))).toThrow(/8192/);
    // 2731 three-byte characters are 8193 bytes but only 2731 UTF-16 units.
    expect(() => messages.info('€'.repeat(2731))).toThrow(RangeError);
    expect(() => messages.info('€'.repeat(2730))).not.toThrow();
  });

  it('takes a configured size limit', () => {
    const messages = fresh({ maxMessageBytes: 10 });
    expect(() => messages.info('0123456789')).not.toThrow();
    expect(() => messages.info('0123456789x')).toThrow(/10 bytes/);
    expect(() => fresh({ maxMessageBytes: 0 })).toThrow(TypeError);
  });

  it('counts any text by its UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        const messages = fresh({ maxMessageBytes: 32 });
        const fits = Buffer.byteLength(text) <= 32;
        if (fits) messages.info(text);
        else expect(() => messages.info(text)).toThrow(RangeError);
      }),
    );
  });

  it('rejects a bad message even below the minimum level', () => {
    expect(() => fresh().debug(7 as unknown as string)).toThrow(TypeError);
  });
});

describe('tags', () => {
  it('gives level tags and joins extra tags before them', async () => {
    const messages = new Messages(
      cookieStorage({ secret }).open(createCookieExchange('', { secure: false })),
    );
    messages.success('a', { extraTags: 'task done' });
    messages.error('b');
    expect(
      (await messages.peek()).map(({ levelTag, tags, extraTags }) => ({
        levelTag,
        tags,
        extraTags,
      })),
    ).toEqual([
      { levelTag: 'success', tags: 'task done success', extraTags: 'task done' },
      { levelTag: 'error', tags: 'error', extraTags: '' },
    ]);
  });

  it('uses the app tag map: custom levels, renamed and blank tags', async () => {
    const tags = defineTags({ 35: 'notice', [ERROR]: 'danger', [INFO]: '' });
    const messages = new Messages(
      cookieStorage({ secret }).open(createCookieExchange('', { secure: false })),
      { tags },
    );
    messages.add(35, 'custom');
    messages.error('renamed', { extraTags: 'x' });
    messages.info('blank', { extraTags: 'only-extra' });
    messages.info('bare');
    expect((await messages.peek()).map((m) => [m.levelTag, m.tags])).toEqual([
      ['notice', 'notice'],
      ['danger', 'x danger'],
      ['', 'only-extra'],
      ['', ''],
    ]);
  });

  it('types add() by the levels of the tag map', () => {
    const tags = defineTags({ 35: 'notice' });
    const messages = new Messages(
      cookieStorage({ secret }).open(createCookieExchange('', { secure: false })),
      { tags },
    );
    expectTypeOf(messages.add).parameter(0).toEqualTypeOf<10 | 20 | 25 | 30 | 35 | 40>();
    // @ts-expect-error 36 is not a level of this tag map.
    expect(() => messages.add(36, 'unknown level')).not.toThrow();
  });
});

describe('persisting', () => {
  const storage = () => serverStorage({ secret, store: new MemoryStore() });

  it('runs concurrent updates one after the other, so no message is stored twice', async () => {
    const recorded = recordingStorage(storage());
    const messages = new Messages(recorded.open(createCookieExchange('', { secure: false })));
    messages.info('a');
    const first = messages.update();
    messages.info('b');
    await Promise.all([first, messages.update()]);
    expect(recorded.added().flat()).toEqual(['a', 'b']);
  });

  it('persists to a backend that needs no I/O at once, before update is awaited', () => {
    const exchange = createCookieExchange('', { secure: false });
    const messages = new Messages(cookieStorage({ secret }).open(exchange));
    messages.success('Saved.');
    const updated = messages.update();
    expect(exchange.setCookieHeaders()).toHaveLength(1);
    return expect(updated).resolves.toEqual([]);
  });

  it('runs a step that a backend could answer at once after the step still running', async () => {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const inner = cookieStorage({ secret });
    let calls = 0;
    const slowFirst = withCommit(inner, (change, backend) => {
      calls += 1;
      const texts = change.added?.map((m) => m.message).join() ?? '';
      if (calls > 1) {
        order.push(texts);
        return backend.commit(change);
      }
      return new Promise((resolve) => {
        release = () => {
          order.push(texts);
          resolve(backend.commit(change));
        };
      });
    });
    const messages = new Messages(slowFirst.open(createCookieExchange('', { secure: false })));
    messages.info('a');
    const first = messages.update();
    messages.info('b');
    const second = messages.update();
    await Promise.resolve();
    expect(order).toEqual([]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['a', 'b']);
  });

  it('rejects, never throws, when the backend fails at once, and keeps the messages for a retry', async () => {
    const inner = cookieStorage({ secret });
    let failures = 1;
    const failing = withCommit(inner, (change, backend) => {
      if (failures-- > 0) throw new Error('cannot write');
      return backend.commit(change);
    });
    const messages = new Messages(failing.open(createCookieExchange('', { secure: false })));
    messages.success('Saved.');
    const failed = messages.update();
    expect(failed).toBeInstanceOf(Promise);
    await expect(failed).rejects.toThrow('cannot write');
    expect(messages.unsaved).toBe(true);
    await expect(messages.consume()).resolves.toMatchObject([{ message: 'Saved.' }]);
  });

  it('tells whether changes wait for an update', async () => {
    const messages = new Messages(storage().open(createCookieExchange('', { secure: false })));
    expect(messages.unsaved).toBe(false);
    messages.info('a');
    expect(messages.unsaved).toBe(true);
    await messages.update();
    expect(messages.unsaved).toBe(false);
    messages.info('b');
    await messages.consume();
    expect(messages.unsaved).toBe(false);
  });

  it('persists eagerly, once per tick of adds, when asked to', async () => {
    const recorded = recordingStorage(storage());
    const exchange = createCookieExchange('', { secure: false });
    const messages = new Messages(recorded.open(exchange), { eager: true });
    messages.info('a');
    messages.info('b');
    await messages.settled();
    messages.info('c');
    await messages.settled();
    expect(recorded.added()).toEqual([['a', 'b'], ['c']]);
    expect(exchange.setCookieHeaders()).toHaveLength(1);
  });

  it('reports a failed eager persist to onError and keeps the messages for a retry', async () => {
    let down = true;
    const inner = storage();
    const flaky = withCommit(inner, (change, backend) =>
      down ? Promise.reject(new Error('down')) : backend.commit(change),
    );
    const errors: unknown[] = [];
    const request = new Browser(flaky, { eager: true, onError: (error) => errors.push(error) });
    await request.request(async (m) => {
      m.success('kept');
      await m.settled();
      expect(errors).toEqual([new Error('down')]);
      down = false;
    });
    expect(texts((await request.request((m) => m.consume())).result)).toEqual(['kept']);
  });
});
