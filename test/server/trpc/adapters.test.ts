import type { ResponseMeta } from '@trpc/server/http';
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageStorage } from '../../../server/storage/backend.js';
import { cookieStorage } from '../../../server/storage/cookie/cookie-storage.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { texts } from '../../fixtures/texts.js';
import { createRecordingBrowser } from '../../fixtures/trpc-client.js';
import { adapters, TestApps } from '../../fixtures/trpc-server.js';
import { failOnUnhandledRejections } from '../../fixtures/unhandled-rejections.js';
import { countingStore } from '../../fixtures/wrapped-store.js';

failOnUnhandledRejections();

const secret = 'adapters-test-secret-0123456789abcdef';

/** The two ways to keep messages, each with the name of the cookie it sets. */
const storages = [
  {
    kind: 'cookie storage',
    cookie: 'messages',
    make: (): MessageStorage => cookieStorage({ secret }),
  },
  {
    kind: 'server storage',
    cookie: 'messages_session',
    make: (): MessageStorage => serverStorage({ secret }),
  },
] as const;

/** The Set-Cookie headers of `response` that set cookie `name`. */
const cookiesNamed = (response: Response, name: string) =>
  response.headers.getSetCookie().filter((header) => header.startsWith(`${name}=`));

const apps = new TestApps();
afterEach(async () => {
  await apps.closeAll();
});

describe.each(adapters)('the %s adapter', (adapter) => {
  describe.each(storages)('with $kind', ({ cookie, make }) => {
    it('delivers a message a mutation added once: the next consume returns it, the one after none', async () => {
      const app = await apps.start(adapter, { storage: make() });
      const { client, jar } = createRecordingBrowser(app.url);

      expect(await client.add.mutate({ text: 'Saved.' })).toBe('Saved.');
      expect(jar.get(cookie)).toBeDefined();

      const first = await client.messages.consume.query();
      expect(first.messages).toEqual([
        {
          id: expect.any(String),
          level: 25,
          message: 'Saved.',
          extraTags: '',
          levelTag: 'success',
          tags: 'success',
        },
      ]);
      expect((await client.messages.consume.query()).messages).toEqual([]);
    });

    it("sends the app's own cookie and the messages cookie from one procedure", async () => {
      const app = await apps.start(adapter, { storage: make() });
      const { client, last } = createRecordingBrowser(app.url, 'httpLink');

      await client.setAppCookie.mutate({ text: 'Cookie set.' });

      expect(cookiesNamed(last(), 'app_session')).toEqual(['app_session=abc; Path=/; HttpOnly']);
      expect(cookiesNamed(last(), cookie)).toHaveLength(1);
      expect(texts((await client.messages.consume.query()).messages)).toEqual(['Cookie set.']);
    });

    it("sends the procedure's cookie, the app responseMeta's cookie and the messages cookie together", async () => {
      const app = await apps.start(adapter, { storage: make(), responseMeta: true });
      const { client, last } = createRecordingBrowser(app.url, 'httpLink');

      await client.setAppCookie.mutate({ text: 'Three cookies.' });

      expect(cookiesNamed(last(), 'app_session')).toEqual(['app_session=abc; Path=/; HttpOnly']);
      expect(cookiesNamed(last(), 'meta')).toEqual(['meta=1; Path=/']);
      expect(cookiesNamed(last(), cookie)).toHaveLength(1);
      expect(texts((await client.messages.consume.query()).messages)).toEqual(['Three cookies.']);
    });

    it('sets no cookie at all on a request that touches no messages', async () => {
      const app = await apps.start(adapter, { storage: make() });
      const { client, last } = createRecordingBrowser(app.url);

      expect(await client.ping.query()).toBe('pong');

      expect(last().headers.getSetCookie()).toEqual([]);
    });

    it('marks a consume response Cache-Control: no-store', async () => {
      const app = await apps.start(adapter, { storage: make() });
      const { client, last } = createRecordingBrowser(app.url);

      await client.messages.consume.query();

      expect(last().headers.get('cache-control')).toBe('no-store');
    });
  });

  it('sends exactly one messages cookie for a batch of three mutations that each add, holding all three', async () => {
    const app = await apps.start(adapter, { storage: cookieStorage({ secret }) });
    const { client, responses, last } = createRecordingBrowser(app.url);

    await Promise.all([
      client.add.mutate({ text: 'One.' }),
      client.add.mutate({ text: 'Two.' }),
      client.add.mutate({ text: 'Three.' }),
    ]);

    expect(responses).toHaveLength(1);
    expect(new URL(last().url).pathname).toMatch(/\/add,add,add$/);
    expect(cookiesNamed(last(), 'messages')).toHaveLength(1);
    expect(texts((await client.messages.consume.query()).messages)).toEqual([
      'One.',
      'Two.',
      'Three.',
    ]);
  });

  it('does no store I/O and sets no cookie for a ping, even from a browser with pending messages', async () => {
    const { store, calls } = countingStore();
    const app = await apps.start(adapter, { storage: serverStorage({ store, secret }) });
    const fresh = createRecordingBrowser(app.url);
    const returning = createRecordingBrowser(app.url);
    await returning.client.add.mutate({ text: 'Waiting.' });
    const before = { ...calls };

    await fresh.client.ping.query();
    expect(fresh.last().headers.getSetCookie()).toEqual([]);
    await returning.client.ping.query();
    expect(returning.last().headers.getSetCookie()).toEqual([]);

    expect(calls).toEqual(before);
    expect(texts((await returning.client.messages.consume.query()).messages)).toEqual(['Waiting.']);
  });

  it('marks a plain GET of messages.consume, unbatched and batched, Cache-Control: no-store', async () => {
    const app = await apps.start(adapter, { storage: cookieStorage({ secret }) });

    const unbatched = await fetch(`${app.url}/messages.consume`);
    const batched = await fetch(
      `${app.url}/messages.consume?batch=1&input=${encodeURIComponent('{}')}`,
    );

    expect(unbatched.status).toBe(200);
    expect(await unbatched.json()).toEqual({
      result: {
        data: { messages: [], levels: expect.any(Object), liveSignalsAll: false, leaseMs: 5000 },
      },
    });
    expect(unbatched.headers.get('cache-control')).toBe('no-store');
    expect(batched.status).toBe(200);
    expect(batched.headers.get('cache-control')).toBe('no-store');
  });

  it("keeps a consume uncached when the app's responseMeta makes responses public", async () => {
    const appResponseMeta = (): ResponseMeta => ({
      headers: { 'cache-control': 'public, max-age=60' },
    });
    const app = await apps.start(adapter, { storage: cookieStorage({ secret }), appResponseMeta });
    const { client, last } = createRecordingBrowser(app.url);

    await client.ping.query();
    expect(last().headers.get('cache-control')).toBe('public, max-age=60');

    await client.messages.consume.query();
    expect(last().headers.get('cache-control')).toBe('no-store');

    // A batch that holds a consume is one response: it is not cached either.
    await Promise.all([client.ping.query(), client.messages.consume.query()]);
    expect(last().headers.get('cache-control')).toBe('no-store');
  });
});
