import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { Signer } from '../../../server/crypto/signer.js';
import { createCookieExchange } from '../../../server/http/cookie-exchange.js';
import { Messages } from '../../../server/messages/messages.js';
import type { MessageStorage } from '../../../server/storage/backend.js';
import { cookieStorage } from '../../../server/storage/cookie/cookie-storage.js';
import { fallbackStorage } from '../../../server/storage/fallback-storage.js';
import type { MessageStore } from '../../../server/storage/message-store.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { addMessage, MessageFailure } from '../../../server/trpc/add-message.js';
import { DEFAULT_LEVELS, type Message, SUCCESS } from '../../../shared/index.js';
import { texts } from '../../fixtures/texts.js';
import type { TestApp, TestRouter } from '../../fixtures/trpc-app.js';
import { createRecordingBrowser } from '../../fixtures/trpc-client.js';
import { type RunningApp, type StartAppOptions, TestApps } from '../../fixtures/trpc-server.js';
import { failOnUnhandledRejections } from '../../fixtures/unhandled-rejections.js';

failOnUnhandledRejections();

const secret = 'context-test-secret-0123456789abcdef';
const SESSION = 'messages_session';

const apps = new TestApps();
afterEach(async () => {
  await apps.closeAll();
  vi.restoreAllMocks();
});

/** Serves the test app through the standalone adapter for one test; it is closed after it. */
function serve(options: StartAppOptions = {}): Promise<RunningApp> {
  return apps.start('standalone', { storage: serverStorage({ secret }), ...options });
}

/** The error a call failed with, as the client sees it. */
async function failure(call: Promise<unknown>): Promise<TRPCClientError<TestRouter>> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

/** A body of messages.consume that holds no message. */
const noMessages = {
  result: {
    data: {
      messages: [],
      levels: DEFAULT_LEVELS,
      liveSignalsAll: expect.any(Boolean),
      leaseMs: 5000,
    },
  },
};

describe('what consume tells the client of live delivery', () => {
  it.each([
    { name: 'serverStorage', storage: () => serverStorage({ secret }), all: true },
    { name: 'fallbackStorage', storage: () => fallbackStorage({ secret }), all: false },
    { name: 'cookieStorage', storage: () => cookieStorage({ secret }), all: false },
  ])('with $name, says whether live signals every message ($all)', async ({ storage, all }) => {
    const app = await serve({ storage: storage() });
    const { client } = createRecordingBrowser(app.url);

    expect((await client.messages.consume.query()).liveSignalsAll).toBe(all);
  });
});

describe('reading without consuming', () => {
  it('leaves the messages to the next consume after ping and count queries, alone or batched', async () => {
    const app = await serve();
    const { client } = createRecordingBrowser(app.url);
    await client.add.mutate({ text: 'Still here.' });

    expect(await client.ping.query()).toBe('pong');
    expect(await client.count.query()).toBe(1);
    expect(await Promise.all([client.ping.query(), client.count.query()])).toEqual(['pong', 1]);

    expect(texts((await client.messages.consume.query()).messages)).toEqual(['Still here.']);
    expect(await client.count.query()).toBe(0);
  });
});

describe('the minimum level, per request', () => {
  it('stores debug messages from a request that lowered its level', async () => {
    const app = await serve();
    const { client } = createRecordingBrowser(app.url);

    await client.debugWithLowLevel.mutate();

    const { messages } = await client.messages.consume.query();
    expect(messages.map((m) => [m.level, m.levelTag, m.message])).toEqual([
      [10, 'debug', 'Debug detail.'],
      [10, 'debug', 'Shown too.'],
    ]);
  });

  it('stores no debug message at the default level, and the next request is back at INFO', async () => {
    const app = await serve();
    const { client } = createRecordingBrowser(app.url);

    await client.debugAtDefaultLevel.mutate();
    expect(await client.count.query()).toBe(0);

    await client.debugWithLowLevel.mutate();
    await client.debugAtDefaultLevel.mutate();
    expect(texts((await client.messages.consume.query()).messages)).toEqual([
      'Debug detail.',
      'Shown too.',
    ]);
  });
});

describe('custom levels', () => {
  it("delivers a custom level's message with its tag", async () => {
    const app = await serve();
    const { client } = createRecordingBrowser(app.url);

    await client.notice.mutate();

    const { messages } = await client.messages.consume.query();
    expect(messages).toEqual([
      {
        id: expect.any(String),
        level: 35,
        message: 'A notice.',
        extraTags: '',
        levelTag: 'notice',
        tags: 'notice',
      },
    ]);
  });

  it('types the consume output on the client with no type written by hand', () => {
    const client = createTRPCClient<TestRouter>({ links: [httpLink({ url: 'http://unused' })] });
    expectTypeOf(client.messages.consume.query).returns.resolves.toEqualTypeOf<{
      messages: Message[];
      levels: typeof DEFAULT_LEVELS;
      liveSignalsAll: boolean;
      leaseMs: number;
    }>();
  });

  it("types ctx.messages.add with the app's levels: 35 is accepted, 36 is not", () => {
    type AppMessages = ReturnType<TestApp['messages']['fromRequest']>;
    expectTypeOf<Parameters<AppMessages['add']>[0]>().toEqualTypeOf<10 | 20 | 25 | 30 | 35 | 40>();

    // Never called: the compiler checks it.
    const procedureBody = (messages: AppMessages) => {
      messages.add(35, 'A notice.');
      // @ts-expect-error 36 is no level of the app's tag map
      messages.add(36, 'Not a level.');
    };
    expectTypeOf(procedureBody).toBeFunction();
  });
});

describe('successMessage', () => {
  it('adds the success message after the procedure succeeds', async () => {
    const app = await serve();
    const { client } = createRecordingBrowser(app.url);

    expect(await client.create.mutate({ title: 'X' })).toEqual({ id: 1, title: 'X' });

    const { messages } = await client.messages.consume.query();
    expect(messages.map((m) => [m.levelTag, m.message])).toEqual([
      ['success', 'Task "X" created.'],
    ]);
  });

  it('adds nothing when the input is invalid and the call fails with BAD_REQUEST', async () => {
    const app = await serve();
    const { client } = createRecordingBrowser(app.url);

    const error = await failure(client.create.mutate({ title: '' }));

    expect(error.data?.code).toBe('BAD_REQUEST');
    expect((await client.messages.consume.query()).messages).toEqual([]);
  });
});

describe('addMessage', () => {
  it('throws a MessageFailure that says how to fix it when the context has no messages', () => {
    expect(() => addMessage({}, SUCCESS, 'Lost.')).toThrow(MessageFailure);
    expect(() => addMessage({ messages: undefined }, SUCCESS, 'Lost.')).toThrow(
      /messages\.fromRequest\(opts\).*failSilently/,
    );
    expect(() => addMessage(undefined, SUCCESS, 'Lost.')).toThrow(MessageFailure);
  });

  it('returns false and does nothing with failSilently', () => {
    const ctx = { user: 'ada' };
    expect(addMessage(ctx, SUCCESS, 'Lost.', { failSilently: true })).toBe(false);
    expect(ctx).toEqual({ user: 'ada' });
  });

  it("adds through a context built by the app's createContext, and the message is delivered", async () => {
    const added: boolean[] = [];
    const app = await serve({
      routes: {
        // A plain node handler that shares the kit: code that only holds "some context".
        '/legacy': async (req, res, { createContext }) => {
          const ctx = createContext({ req, res });
          added.push(addMessage(ctx, SUCCESS, 'From a plain route.', { extraTags: 'legacy' }));
          await ctx.messages.update();
          res.end('ok');
        },
      },
    });
    const { client, fetch } = createRecordingBrowser(app.url);

    const response = await fetch(`${app.origin}/legacy`);

    expect(response.status).toBe(200);
    expect(added).toEqual([true]);
    const { messages } = await client.messages.consume.query();
    expect(messages.map((m) => [m.message, m.tags])).toEqual([
      ['From a plain route.', 'legacy success'],
    ]);
  });

  it('drops a message whose level is not an integer, and reports it, without throwing', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const onError = vi.fn();
    const exchange = createCookieExchange(undefined, { secure: false });
    const ctx = { messages: new Messages(cookieStorage({ secret }).open(exchange), { onError }) };

    expect(addMessage(ctx, 2.5, 'Half a level.')).toBe(true);
    expect(addMessage(ctx, Number.NaN, 'No level.')).toBe(true);
    await ctx.messages.update();

    expect(exchange.setCookieHeaders()).toEqual([]);
    expect(onError.mock.calls.map(([error]: unknown[]) => (error as Error).message)).toEqual([
      expect.stringMatching(/safe integer.*got 2\.5/),
      expect.stringMatching(/safe integer.*got NaN/),
    ]);
  });
});

describe('bad cookies over HTTP', () => {
  /** A browser whose messages cookie `name` holds `value`, consuming through a plain GET. */
  async function consumeWith(storage: MessageStorage, name: string, value: string) {
    const app = await serve({ storage });
    const visitor = createRecordingBrowser(app.url);
    visitor.jar.set(name, value);
    const { response, body } = await visitor.consume();
    return { response, body, setCookies: response.headers.getSetCookie(), visitor, app };
  }

  /** A real, signed messages cookie holding one message, from a first browser. */
  async function realCookie(storage: MessageStorage, name: string): Promise<string> {
    const app = await serve({ storage });
    const { client, jar } = createRecordingBrowser(app.url);
    await client.add.mutate({ text: 'Genuine.' });
    const value = jar.get(name);
    if (value === undefined) throw new Error(`no ${name} cookie was set`);
    return value;
  }

  it('reads a tampered messages cookie as no messages, answers 200 and deletes the cookie', async () => {
    const storage = cookieStorage({ secret });
    const genuine = await realCookie(storage, 'messages');
    // Change one character of the payload: the signature no longer matches.
    const flipped = genuine[1] === 'A' ? 'B' : 'A';
    const tampered = `${genuine[0]}${flipped}${genuine.slice(2)}`;

    const { response, body, setCookies, visitor } = await consumeWith(
      storage,
      'messages',
      tampered,
    );

    expect(response.status).toBe(200);
    expect(body).toEqual(noMessages);
    expect(setCookies).toEqual([expect.stringMatching(/^messages=;.*Max-Age=0/)]);
    expect(visitor.jar.get('messages')).toBeUndefined();
  });

  it.each([
    ['garbage', 'not-a-cookie-of-ours'],
    [
      'a signature by another secret',
      new Signer('another secret', 'trpc-messages.cookie').sign('j'),
    ],
  ])('reads a messages cookie of %s as no messages and deletes it', async (_, value) => {
    const { response, body, setCookies } = await consumeWith(
      cookieStorage({ secret }),
      'messages',
      value,
    );

    expect(response.status).toBe(200);
    expect(body).toEqual(noMessages);
    expect(setCookies).toEqual([expect.stringMatching(/^messages=;.*Max-Age=0/)]);
  });

  it.each([
    ['garbage', 'garbage'],
    ['a wrong signature', `${'a'.repeat(22)}.${'b'.repeat(43)}`],
    [
      'a signature by another secret',
      new Signer('another secret', 'trpc-messages.session').sign('a'.repeat(22)),
    ],
  ])(
    'replaces a forged session cookie (%s) by a new session, answering 200 and no messages',
    async (_, forged) => {
      const { response, body, setCookies, visitor } = await consumeWith(
        serverStorage({ secret }),
        SESSION,
        forged,
      );

      expect(response.status).toBe(200);
      expect(body).toEqual(noMessages);
      // A consume gives the browser a session (the Toaster consumes on mount): the forged value
      // is replaced by a signed one rather than deleted.
      expect(setCookies).toEqual([expect.stringMatching(/^messages_session=[^;]+\.[^;]+;/)]);
      const fresh = visitor.jar.get(SESSION);
      expect(fresh).not.toBe(forged);
      expect(new Signer(secret, 'trpc-messages.session').unsign(fresh ?? '')).toBeDefined();
    },
  );

  it.each([
    ['a tampered messages cookie', 'messages', cookieStorage({ secret })],
    ['a forged session cookie', SESSION, serverStorage({ secret })],
  ])(
    'replaces %s when a mutation adds, and delivers only the new message',
    async (_, name, storage) => {
      const app = await serve({ storage });
      const { client, jar, last } = createRecordingBrowser(app.url);
      jar.set(name, 'forged.value');

      await client.add.mutate({ text: 'Fresh.' });

      expect(last().status).toBe(200);
      expect(jar.get(name)).not.toBe('forged.value');
      expect(texts((await client.messages.consume.query()).messages)).toEqual(['Fresh.']);
    },
  );

  it('reads an unknown but validly signed session id as simply empty, and keeps its cookie', async () => {
    const unknown = new Signer(secret, 'trpc-messages.session').sign('x'.repeat(22));

    const { response, body, setCookies, visitor } = await consumeWith(
      serverStorage({ secret }),
      SESSION,
      unknown,
    );

    expect(response.status).toBe(200);
    expect(body).toEqual(noMessages);
    expect(setCookies).toEqual([]);
    expect(visitor.jar.get(SESSION)).toBe(unknown);
  });

  it('reads a real session whose messages another request consumed as empty', async () => {
    const app = await serve();
    const first = createRecordingBrowser(app.url);
    await first.client.add.mutate({ text: 'Read elsewhere.' });
    await first.client.messages.consume.query();
    const second = createRecordingBrowser(app.url);
    second.jar.set(SESSION, first.jar.get(SESSION) ?? '');

    const { response, body } = await second.consume();

    expect(response.status).toBe(200);
    expect(body).toEqual(noMessages);
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});

describe('a store that is down', () => {
  /** A message store whose every call rejects with `error`. */
  function downStore(error: Error): MessageStore {
    return {
      peek: () => Promise.reject(error),
      commit: () => Promise.reject(error),
      retire: () => Promise.reject(error),
      markUsed: () => Promise.reject(error),
      watch: () => () => {},
    };
  }

  it('lets a mutation that adds succeed, reports the error, and consumes as no messages', async () => {
    const down = new Error('ECONNREFUSED: the store is down');
    const onError = vi.fn();
    const warn = vi.spyOn(console, 'warn');
    const app = await serve({
      storage: serverStorage({ secret, store: downStore(down) }),
      onError,
    });
    const { client, last } = createRecordingBrowser(app.url);

    expect(await client.add.mutate({ text: 'Lost, but the work is done.' })).toBe(
      'Lost, but the work is done.',
    );
    expect(last().status).toBe(200);
    expect(onError).toHaveBeenCalledWith(down, { path: 'add' });

    onError.mockClear();
    expect(await client.messages.consume.query()).toEqual({
      messages: [],
      levels: DEFAULT_LEVELS,
      liveSignalsAll: true,
      leaseMs: 5000,
    });
    expect(last().status).toBe(200);
    expect(onError).toHaveBeenCalledWith(down, { path: 'messages.consume' });
    // The failure was reported: no misleading "add the persist middleware" warning on top.
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('invalid messages', () => {
  it('answers a mutation whose message passes 8192 bytes, which arrives truncated, told to onError', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const onError = vi.fn();
    const app = await serve({ onError });
    const { client } = createRecordingBrowser(app.url);

    expect(await client.add.mutate({ text: 'a'.repeat(8193) })).toBe('a'.repeat(8193));

    expect(texts((await client.messages.consume.query()).messages)).toEqual([
      `${'a'.repeat(8189)}…`,
    ]);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ outcome: 'truncated' }), {
      path: 'add',
    });
  });

  it('accepts a message of exactly 8192 bytes', async () => {
    const app = await serve();
    const { client } = createRecordingBrowser(app.url);

    await client.add.mutate({ text: 'é'.repeat(4096) });

    expect(texts((await client.messages.consume.query()).messages)).toEqual(['é'.repeat(4096)]);
  });

  it('rejects a level that is not an integer at the input, with BAD_REQUEST', async () => {
    const app = await serve();
    const { client } = createRecordingBrowser(app.url);

    const error = await failure(client.add.mutate({ text: 'Half a level.', level: 2.5 }));

    expect(error.data?.code).toBe('BAD_REQUEST');
    expect((await client.messages.consume.query()).messages).toEqual([]);
  });
});
