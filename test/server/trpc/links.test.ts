import { createTRPCClient, TRPCClientError, unstable_localLink } from '@trpc/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MessageStorage } from '../../../server/storage/backend.js';
import {
  cookieStorage,
  StreamedCookieError,
} from '../../../server/storage/cookie/cookie-storage.js';
import { fallbackStorage } from '../../../server/storage/fallback-storage.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { ERROR, INFO, SUCCESS } from '../../../shared/levels.js';
import { texts } from '../../fixtures/texts.js';
import type { TestRouter } from '../../fixtures/trpc-app.js';
import { browserFetch, createBrowser, type LinkKind } from '../../fixtures/trpc-client.js';
import {
  type Route,
  type RunningApp,
  type StartAppOptions,
  TestApps,
} from '../../fixtures/trpc-server.js';
import { failOnUnhandledRejections } from '../../fixtures/unhandled-rejections.js';

failOnUnhandledRejections();

const secret = 'x'.repeat(32);

/** The storages under test, by the name a test title uses. */
type StorageName = 'serverStorage' | 'fallbackStorage' | 'cookieStorage';
const storages: Record<StorageName, () => MessageStorage | undefined> = {
  // The kit's default: serverStorage() with no secret (one dev warning per process).
  serverStorage: () => undefined,
  fallbackStorage: () => fallbackStorage({ secret }),
  cookieStorage: () => cookieStorage({ secret }),
};

type Browser = ReturnType<typeof createBrowser>;

const apps = new TestApps();

/** Serves the test app through the standalone adapter; closed after each test. */
function start(options: StartAppOptions = {}): Promise<RunningApp> {
  return apps.start('standalone', options);
}

/** Runs the `live` subscription to its end; resolves with what it yielded. */
function runLive(client: Browser['client']): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const data: string[] = [];
    client.live.subscribe(undefined, {
      onData: (value) => data.push(value),
      onError: reject,
      onComplete: () => resolve(data),
    });
  });
}

afterEach(async () => {
  await apps.closeAll();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('every link, every storage that supports it', () => {
  const cases: [LinkKind, StorageName][] = [
    ['httpLink', 'serverStorage'],
    ['httpLink', 'fallbackStorage'],
    ['httpLink', 'cookieStorage'],
    ['httpBatchLink', 'serverStorage'],
    ['httpBatchLink', 'fallbackStorage'],
    ['httpBatchLink', 'cookieStorage'],
    ['httpBatchStreamLink', 'serverStorage'],
    ['httpBatchStreamLink', 'fallbackStorage'],
  ];

  it.each(cases)("delivers a mutation's message once over %s with %s", async (link, storage) => {
    const app = await start({ storage: storages[storage]() });
    const { client } = createBrowser(app.url, link);

    await expect(client.add.mutate({ text: 'Task saved.' })).resolves.toBe('Task saved.');

    const first = await client.messages.consume.query();
    expect(first.messages).toEqual([
      {
        id: expect.any(String),
        level: SUCCESS,
        message: 'Task saved.',
        extraTags: '',
        levelTag: 'success',
        tags: 'success',
      },
    ]);
    expect((await client.messages.consume.query()).messages).toEqual([]);
  });
});

describe('batches', () => {
  it.each<StorageName>(['serverStorage', 'fallbackStorage', 'cookieStorage'])(
    'delivers both messages of a batch of two mutations with %s, in the order they were added',
    async (storage) => {
      const app = await start({ storage: storages[storage]() });
      const browser = createBrowser(app.url, 'httpBatchLink');

      // A batch's calls run together: the delayed first call adds its message last.
      await Promise.all([
        browser.client.add.mutate({ text: 'first', delayMs: 20 }),
        browser.client.add.mutate({ text: 'second' }),
      ]);

      expect(browser.requests).toHaveLength(1);
      expect(texts(await browser.client.messages.consume.query())).toEqual(['second', 'first']);
    },
  );

  it.each<StorageName>(['serverStorage', 'fallbackStorage'])(
    'delivers both messages of a streamed batch of two mutations with %s, in the order they were added',
    async (storage) => {
      const app = await start({ storage: storages[storage]() });
      const browser = createBrowser(app.url, 'httpBatchStreamLink');

      await Promise.all([
        browser.client.add.mutate({ text: 'first', delayMs: 20 }),
        browser.client.add.mutate({ text: 'second' }),
      ]);

      expect(browser.requests).toHaveLength(1);
      expect(texts(await browser.client.messages.consume.query())).toEqual(['second', 'first']);
    },
  );
});

describe('streamed batches (httpBatchStreamLink)', () => {
  it('fails a mutation with cookieStorage in development, with an error that names the fix', async () => {
    const onError = vi.fn();
    const warn = vi.spyOn(console, 'warn');
    const app = await start({ storage: cookieStorage({ secret }), onError });
    const { client } = createBrowser(app.url, 'httpBatchStreamLink');

    const error = await client.add.mutate({ text: 'Lost.' }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );

    expect(error).toBeInstanceOf(TRPCClientError);
    const clientError = error as TRPCClientError<TestRouter>;
    expect(clientError.message).toBe(new StreamedCookieError().message);
    expect(clientError.message).toMatch(/splitLink/);
    expect(clientError.message).toMatch(/serverStorage\(\) or fallbackStorage\(\)/);
    // The response's status left as 200 before the procedure ran; the error's shape says 500.
    expect(clientError.data).toMatchObject({
      code: 'INTERNAL_SERVER_ERROR',
      httpStatus: 500,
      path: 'add',
    });
    // Thrown to the caller, not reported: the developer sees it where the call failed.
    expect(onError).not.toHaveBeenCalled();
    // The message is lost, and no misleading "add the persist middleware" warning follows.
    expect((await createBrowser(app.url).client.messages.consume.query()).messages).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('lets mutations succeed with cookieStorage in production and logs the misconfiguration once', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const onError = vi.fn();
    const app = await start({ storage: cookieStorage({ secret }), onError });
    const { client } = createBrowser(app.url, 'httpBatchStreamLink');

    await expect(client.add.mutate({ text: 'One.' })).resolves.toBe('One.');
    await expect(client.add.mutate({ text: 'Two.' })).resolves.toBe('Two.');

    expect(onError).toHaveBeenCalledOnce();
    expect(onError.mock.calls[0]?.[0]).toBeInstanceOf(StreamedCookieError);
    expect(onError.mock.calls[0]?.[1]).toEqual({ path: 'add' });
    // The server is still up and answering.
    await expect(client.ping.query()).resolves.toBe('pong');
  });

  it('delivers through the store with fallbackStorage and leaves the messages cookie alone', async () => {
    const app = await start({ storage: fallbackStorage({ secret }) });
    const { client, jar } = createBrowser(app.url, 'httpBatchStreamLink');

    await client.add.mutate({ text: 'Kept on the server.' });

    expect(jar.get('messages')).toBeUndefined();
    expect(jar.get('messages_session')).toBeDefined();
    expect(texts(await client.messages.consume.query())).toEqual(['Kept on the server.']);
  });

  it('delivers with serverStorage', async () => {
    const app = await start({ storage: serverStorage({ secret }) });
    const { client } = createBrowser(app.url, 'httpBatchStreamLink');

    await client.add.mutate({ text: 'Streamed.' });

    expect(texts(await client.messages.consume.query())).toEqual(['Streamed.']);
  });
});

describe('subscriptions (httpSubscriptionLink)', () => {
  it.each<StorageName>(['serverStorage', 'fallbackStorage'])(
    "delivers a subscription's message by the next consume with %s",
    async (storage) => {
      const app = await start({ storage: storages[storage]() });
      const { client, jar } = createBrowser(app.url);

      await expect(runLive(client)).resolves.toEqual(['added']);

      expect(jar.get('messages')).toBeUndefined();
      const { messages } = await client.messages.consume.query();
      expect(messages).toMatchObject([
        { level: INFO, message: 'From a subscription.', levelTag: 'info' },
      ]);
      expect((await client.messages.consume.query()).messages).toEqual([]);
    },
  );

  it('reports, without failing the subscription, that cookieStorage cannot store its message', async () => {
    const onError = vi.fn();
    const warn = vi.spyOn(console, 'warn');
    const app = await start({ storage: cookieStorage({ secret }), onError });
    const { client } = createBrowser(app.url);

    await expect(runLive(client)).resolves.toEqual(['added']);

    expect(onError).toHaveBeenCalledOnce();
    expect(onError.mock.calls[0]?.[0]).toBeInstanceOf(StreamedCookieError);
    expect((await client.messages.consume.query()).messages).toEqual([]);
    // Reported once, as what it is: no "add the persist middleware" warning on top.
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('calls without HTTP', () => {
  /** A plain route that adds the `text` query parameter's message through a server-side caller. */
  const callerRoute: Route = async (req, res, app) => {
    const text = new URL(req.url ?? '/', 'http://localhost').searchParams.get('text') ?? '';
    const caller = app.t.createCallerFactory(app.router)(app.createContext({ req, res }));
    await caller.add({ text });
    res.end('ok');
  };

  /** A plain route that adds the `text` query parameter's message through a localLink client. */
  const localLinkRoute: Route = async (req, res, app) => {
    const text = new URL(req.url ?? '/', 'http://localhost').searchParams.get('text') ?? '';
    const ctx = app.createContext({ req, res });
    const client = createTRPCClient<TestRouter>({
      links: [unstable_localLink({ router: app.router, createContext: async () => ctx })],
    });
    await client.add.mutate({ text });
    res.end('ok');
  };

  /** Loads `path` on the app's server as `browser` would, with its cookies. */
  async function visit(app: RunningApp, browser: Browser, path: string): Promise<void> {
    const response = await browserFetch(browser.jar)(`${app.origin}${path}`);
    expect(response.status).toBe(200);
    await response.text();
  }

  it.each<StorageName>(['serverStorage', 'fallbackStorage', 'cookieStorage'])(
    "delivers a server-side caller's message once with %s",
    async (storage) => {
      const app = await start({ storage: storages[storage](), routes: { '/caller': callerRoute } });
      const browser = createBrowser(app.url);

      await visit(app, browser, '/caller?text=From+a+caller.');

      expect(texts(await browser.client.messages.consume.query())).toEqual(['From a caller.']);
      expect((await browser.client.messages.consume.query()).messages).toEqual([]);
    },
  );

  it.each<StorageName>(['serverStorage', 'fallbackStorage', 'cookieStorage'])(
    "delivers a localLink call's message once with %s",
    async (storage) => {
      const app = await start({
        storage: storages[storage](),
        routes: { '/local': localLinkRoute },
      });
      const browser = createBrowser(app.url);

      await visit(app, browser, '/local?text=From+localLink.');

      expect(texts(await browser.client.messages.consume.query())).toEqual(['From localLink.']);
      expect((await browser.client.messages.consume.query()).messages).toEqual([]);
    },
  );
});

describe('many browsers and concurrent requests', () => {
  it.each<StorageName>(['serverStorage', 'fallbackStorage', 'cookieStorage'])(
    'gives each of 50 anonymous browsers its own message and no other with %s',
    async (storage) => {
      const app = await start({ storage: storages[storage]() });

      const received = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const { client } = createBrowser(app.url);
          await client.add.mutate({ text: `For browser ${i}.` });
          return texts(await client.messages.consume.query());
        }),
      );

      expect(received).toEqual(Array.from({ length: 50 }, (_, i) => [`For browser ${i}.`]));
    },
  );

  it("delivers all 5 concurrent first-visit mutations when the page's first consume started the session", async () => {
    const app = await start({ storage: serverStorage({ secret }) });
    const { client, jar } = createBrowser(app.url, 'httpLink');

    // The Toaster consumes on mount: that consume gives the browser its session.
    expect((await client.messages.consume.query()).messages).toEqual([]);
    expect(jar.get('messages_session')).toBeDefined();
    const texts5 = ['1', '2', '3', '4', '5'].map((n) => `Saved ${n}.`);
    await Promise.all(texts5.map((text) => client.add.mutate({ text })));

    expect(texts(await client.messages.consume.query()).sort()).toEqual(texts5);
  });

  it('delivers only one of 5 concurrent first-visit mutations without a consume first: each starts its own session', async () => {
    const app = await start({ storage: serverStorage({ secret }) });
    const { client } = createBrowser(app.url, 'httpLink');

    // All five requests leave without a session cookie; the browser keeps the last one it is sent.
    const texts5 = ['1', '2', '3', '4', '5'].map((n) => `Saved ${n}.`);
    await Promise.all(texts5.map((text) => client.add.mutate({ text })));

    expect(texts(await client.messages.consume.query())).toHaveLength(1);
  });
});

describe('failed procedures', () => {
  const cases: [LinkKind, StorageName][] = [
    ['httpLink', 'serverStorage'],
    ['httpBatchLink', 'fallbackStorage'],
    ['httpBatchLink', 'cookieStorage'],
    ['httpBatchStreamLink', 'serverStorage'],
  ];

  it.each(cases)(
    'still delivers the message a procedure added before it threw, over %s with %s',
    async (link, storage) => {
      const app = await start({ storage: storages[storage]() });
      const { client } = createBrowser(app.url, link);

      await expect(client.failAfterAdding.mutate()).rejects.toMatchObject({ message: 'boom' });

      expect((await client.messages.consume.query()).messages).toMatchObject([
        { level: ERROR, message: 'Failed, but told.', levelTag: 'error', tags: 'error' },
      ]);
      expect((await client.messages.consume.query()).messages).toEqual([]);
    },
  );
});
