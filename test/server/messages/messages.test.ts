import { isDeepStrictEqual } from 'node:util';
import { initTRPC } from '@trpc/server';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { z } from 'zod';
import { Signer } from '../../../server/crypto/signer.js';
import { createCookieExchange } from '../../../server/http/cookie-exchange.js';
import { MessageInputError } from '../../../server/messages/message-input-error.js';
import {
  type AddOptions,
  Messages,
  type MessagesOptions,
} from '../../../server/messages/messages.js';
import type { Backend, MessageStorage } from '../../../server/storage/backend.js';
import { cookieStorage } from '../../../server/storage/cookie/cookie-storage.js';
import type { StoreChange } from '../../../server/storage/message-store.js';
import { messageWeight } from '../../../server/storage/message-weight.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { MemoryStore } from '../../../server/stores/memory/memory-store.js';
import { createActionMaker, createActionSigner } from '../../../server/trpc/actions.js';
import { defineCatalog, type Translation } from '../../../shared/catalog.js';
import {
  DEBUG,
  defineTags,
  ERROR,
  INFO,
  type Message,
  type StoredMessage,
  SUCCESS,
  WARNING,
} from '../../../shared/index.js';
import { recordingStorage } from '../../fixtures/recording-storage.js';
import { Browser } from '../../fixtures/request.js';
import { texts } from '../../fixtures/texts.js';

const secret = 'messages-test-secret-of-32-chars!';

// Bad input is warned about once per call site in development: not what most tests here are about.
beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** A browser's successive requests against `storage`, as a function. */
function browser(storage: MessageStorage, options?: MessagesOptions) {
  const client = new Browser(storage, options);
  return <T>(work: (messages: Messages) => T | Promise<T>) => client.request(work);
}

/** `inner` with each backend's commit done by `commit`, which may break or hold it. */
function withCommit(
  inner: MessageStorage,
  commit: (change: StoreChange, backend: Backend) => ReturnType<Backend['commit']>,
): MessageStorage {
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

  it('ignores a minimum level that is not a safe integer, and reports it naming the value', () => {
    const onError = vi.fn();
    const messages = new Messages(
      cookieStorage({ secret }).open(createCookieExchange('', { secure: false })),
      { onError },
    );
    messages.level = WARNING;
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 2.5, '20', null]) {
      messages.level = bad as number;
    }
    expect(messages.level).toBe(WARNING);
    expect(onError).toHaveBeenCalledTimes(5);
    expect(onError.mock.calls[2]?.[0]).toBeInstanceOf(MessageInputError);
    expect(onError.mock.calls[2]?.[0]).toMatchObject({
      problem: 'level',
      outcome: 'ignored',
      message: expect.stringMatching(/the minimum level must be a safe integer.*got 2\.5/),
    });
  });

  it('refuses, at construction, a minimum level that is not a safe integer', () => {
    expect(
      () =>
        new Messages(cookieStorage({ secret }).open(createCookieExchange('', { secure: false })), {
          level: Number.NaN,
        }),
    ).toThrow(/NaN/);
  });
});

describe('add', () => {
  /** A request's messages over a cookie, and what they reported. */
  const fresh = (options?: MessagesOptions) => {
    const onError = vi.fn();
    const messages = new Messages(
      cookieStorage({ secret }).open(createCookieExchange('', { secure: false })),
      { onError, ...options },
    );
    /** What was reported, as `problem/outcome` pairs. */
    const reported = () =>
      onError.mock.calls.map(([error]: unknown[]) => {
        expect(error).toBeInstanceOf(MessageInputError);
        const { problem, outcome } = error as MessageInputError;
        return `${problem}/${outcome}`;
      });
    return { messages, onError, reported };
  };

  it('ignores an empty message', async () => {
    const { messages, reported } = fresh();
    messages.info('');
    expect(await messages.count()).toBe(0);
    expect(reported()).toEqual([]);
  });

  it('gives every message a unique id', async () => {
    const { messages } = fresh();
    for (let i = 0; i < 1000; i += 1) messages.info(`m${i}`);
    const ids = (await messages.peek()).map((m) => m.id);
    expect(new Set(ids).size).toBe(1000);
  });

  it('drops a message whose level is not a safe integer, and reports it naming the value', async () => {
    const { messages, onError, reported } = fresh();
    for (const bad of [Number.NaN, '20', Number.POSITIVE_INFINITY, 2 ** 60]) {
      messages.add(bad as 20, 'x');
    }
    expect(await messages.count()).toBe(0);
    expect(reported()).toEqual(Array(4).fill('level/dropped'));
    const said = onError.mock.calls.map(([error]: unknown[]) => (error as Error).message);
    expect(said[0]).toMatch(/level must be a safe integer such as INFO \(20\), got NaN/);
    expect(said[1]).toMatch(/got "20"/);
    expect(said[2]).toMatch(/got Infinity/);
  });

  it('drops a message that is not a string, and reports it', async () => {
    const { messages, onError, reported } = fresh();
    messages.info(42 as unknown as string);
    messages.info(undefined as unknown as string);
    expect(await messages.count()).toBe(0);
    expect(reported()).toEqual(['text/dropped', 'text/dropped']);
    expect(onError.mock.calls[0]?.[0].message).toMatch(/must be a string or a key of the catalog/);
  });

  it('drops a message whose extra tags are not a string, and reports it', async () => {
    const { messages, reported } = fresh();
    messages.info('x', { extraTags: 1 as unknown as string });
    expect(await messages.count()).toBe(0);
    expect(reported()).toEqual(['extra-tags/dropped']);
  });

  it('truncates a message over 8 KiB of UTF-8 to fit, ending with an ellipsis, and reports it naming the limit', async () => {
    const { messages, onError, reported } = fresh();
    messages.info('a'.repeat(8192));
    expect(reported()).toEqual([]);
    messages.info('a'.repeat(8193));
    // 2731 three-byte characters are 8193 bytes but only 2731 UTF-16 units.
    messages.info('€'.repeat(2731));
    messages.info('€'.repeat(2730));
    expect(texts(await messages.peek())).toEqual([
      'a'.repeat(8192),
      `${'a'.repeat(8189)}…`,
      `${'€'.repeat(2729)}…`,
      '€'.repeat(2730),
    ]);
    expect(reported()).toEqual(['size/truncated', 'size/truncated']);
    expect(onError.mock.calls[0]?.[0].message).toBe(
      'trpc-messages: a message weighs 8193 bytes, over maxMessageBytes (8192); it was truncated ' +
        'to fit; shorten it, or raise maxMessageBytes',
    );
  });

  it('takes a configured size limit, from 1 byte to 1 MiB', async () => {
    const { messages, reported } = fresh({ maxMessageBytes: 10 });
    messages.info('0123456789');
    messages.info('0123456789x');
    expect(texts(await messages.peek())).toEqual(['0123456789', '0123456…']);
    expect(reported()).toEqual(['size/truncated']);
    expect(() => fresh({ maxMessageBytes: 0 })).toThrow(RangeError);
    expect(() => fresh({ maxMessageBytes: 1_048_577 })).toThrow(/at most 1048576/);
  });

  it('keeps of any text over the limit its longest start that fits, cut between code points', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 40 }), async (text) => {
        const { messages, reported } = fresh({ maxMessageBytes: 32 });
        messages.info(text);
        const [kept = ''] = texts(await messages.peek());
        if (Buffer.byteLength(text) <= 32) {
          expect(kept).toBe(text);
          expect(reported()).toEqual([]);
          return;
        }
        expect(reported()).toEqual(['size/truncated']);
        const start = kept.slice(0, -1);
        expect(kept.endsWith('…') && text.startsWith(start)).toBe(true);
        expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(32);
        // The next code point would not have fitted.
        const next = String.fromCodePoint(text.codePointAt(start.length) as number);
        expect(Buffer.byteLength(`${start}${next}…`)).toBeGreaterThan(32);
      }),
    );
  });

  it('warns on the console once per cause and call site in development, never in production', () => {
    const warn = vi.mocked(console.warn);
    const { messages, reported } = fresh();
    for (let i = 0; i < 3; i += 1) messages.info(42 as unknown as string);
    messages.info(43 as unknown as string);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[0]?.[0]).toMatch(/dropped.*\(at .*messages\.test\.ts:\d+:\d+\)/);
    vi.stubEnv('NODE_ENV', 'production');
    messages.info(44 as unknown as string);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(reported()).toHaveLength(5);
  });

  it('never throws, even when onError does', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const messages = new Messages(
      cookieStorage({ secret }).open(createCookieExchange('', { secure: false })),
      {
        onError: () => {
          throw new Error('onError broke');
        },
      },
    );
    expect(() => messages.info(42 as unknown as string)).not.toThrow();
    expect(error).toHaveBeenCalledWith('trpc-messages:', new Error('onError broke'));
  });

  it('reports a bad message even below the minimum level', async () => {
    const { messages, reported } = fresh();
    messages.debug(7 as unknown as string);
    expect(reported()).toEqual(['text/dropped']);
  });

  it('never throws, stores nothing over maxMessageBytes, and reports exactly when it changed or dropped the input', async () => {
    const t = defineCatalog({ 'task.created': 'Task "{title}" created.', 'n.done': '{n} done.' });
    const trpc = initTRPC.create();
    const router = trpc.router({
      undo: trpc.procedure.input(z.json()).mutation(() => undefined),
    });
    const action = createActionMaker<typeof router>();
    // As the kit signs actions once queued (the token is what changes).
    const signAction = createActionSigner(new Signer(secret, 'trpc-messages.action'));
    const unsigned = (made: unknown) =>
      typeof made === 'object' && made !== null ? { ...made, token: '' } : made;
    const param = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.double(),
      fc.integer(),
    );
    const input = {
      level: fc.oneof(
        fc.constantFrom(DEBUG, INFO, SUCCESS, WARNING, ERROR),
        fc.integer(),
        fc.constantFrom<unknown>(2.5, Number.NaN, Number.POSITIVE_INFINITY, '20', null, undefined),
      ),
      text: fc.oneof(
        fc.string({ unit: 'binary', maxLength: 400 }),
        param.map((title) => t('task.created', { title: title as string })),
        param.map((n) => t('n.done', { n: n as number })),
        fc.constantFrom<unknown>(42, undefined, null, {}, { key: 'nope', params: {} }),
      ),
      extraTags: fc.option(fc.oneof(fc.string({ maxLength: 60 }), fc.constant<unknown>(7)), {
        nil: undefined,
      }),
      key: fc.option(fc.oneof(fc.string({ maxLength: 140 }), fc.constant<unknown>(5)), {
        nil: undefined,
      }),
      action: fc.option(
        fc.oneof(
          fc
            .jsonValue({ maxDepth: 3 })
            .map((json) => action({ label: 'Undo', path: 'undo', input: json as never })),
          fc.constant<unknown>({ label: 'Undo', path: 'undo' }),
        ),
        { nil: undefined },
      ),
      maxMessageBytes: fc.integer({ min: 1, max: 700 }),
    };
    await fc.assert(
      fc.asyncProperty(fc.record(input), async ({ level, text, maxMessageBytes, ...options }) => {
        const added: StoredMessage[] = [];
        const backend: Backend = {
          peek: async () => [],
          commit: (change) => {
            added.push(...(change.added ?? []));
            return { handedOut: [], unstored: [] };
          },
        };
        const onError = vi.fn();
        const messages = new Messages(backend, {
          catalog: t,
          maxMessageBytes,
          onError,
          signAction,
        });
        messages.add(level as 20, text as string, options as AddOptions);
        await messages.update();

        const [stored, ...more] = added;
        expect(more).toEqual([]);
        if (stored) expect(messageWeight(stored)).toBeLessThanOrEqual(maxMessageBytes);
        for (const [error] of onError.mock.calls) expect(error).toBeInstanceOf(MessageInputError);
        // What add was asked to store, as the oracle reads it.
        const well =
          Number.isSafeInteger(level) &&
          (options.extraTags === undefined || typeof options.extraTags === 'string') &&
          (options.key === undefined ||
            (typeof options.key === 'string' &&
              options.key.length >= 1 &&
              options.key.length <= 128)) &&
          (typeof text === 'string' ||
            (typeof text === 'object' &&
              text !== null &&
              Object.hasOwn(t.templates, (text as Translation).key) &&
              Object.values((text as Translation).params).every(
                (value) => typeof value === 'string' || Number.isFinite(value),
              )));
        const actionWrong =
          options.action !== undefined && !('token' in (options.action as object));
        const asked = well && text !== '' && (level as number) >= INFO;
        const asGiven =
          stored !== undefined &&
          stored.message === (typeof text === 'string' ? text : '') &&
          isDeepStrictEqual(stored.translation, typeof text === 'string' ? undefined : text) &&
          isDeepStrictEqual(unsigned(stored.action), unsigned(options.action));
        const changed = !well || actionWrong || (asked && !asGiven);
        expect(onError.mock.calls.length > 0).toBe(changed);
        if (!asked) expect(stored).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('cuts the longest parameters first, to equal lengths, and keeps the short ones whole', async () => {
    const t = defineCatalog({ pair: '{a} and {b} and {c}' });
    const added: StoredMessage[] = [];
    const backend: Backend = {
      peek: async () => [],
      commit: (change) => {
        added.push(...(change.added ?? []));
        return { handedOut: [], unstored: [] };
      },
    };
    const messages = new Messages(backend, { catalog: t, maxMessageBytes: 200, onError: () => {} });
    messages.info(t('pair', { a: 'a'.repeat(300), b: 'b'.repeat(100), c: 'short' }));
    await messages.update();
    const params = added[0]?.translation?.params as Record<string, string>;
    expect(params.c).toBe('short');
    expect(params.a?.endsWith('…')).toBe(true);
    expect(params.b?.endsWith('…')).toBe(true);
    expect(Buffer.byteLength(params.a as string)).toBe(Buffer.byteLength(params.b as string));
    expect(messageWeight(added[0] as StoredMessage)).toBeGreaterThan(200 - 2);
    expect(messageWeight(added[0] as StoredMessage)).toBeLessThanOrEqual(200);
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
