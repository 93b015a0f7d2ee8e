import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type MessageStorage, recipientKey } from '../../../server/storage/backend.js';
import { cookieStorage } from '../../../server/storage/cookie/cookie-storage.js';
import { fallbackStorage } from '../../../server/storage/fallback-storage.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { MemoryStore } from '../../../server/stores/memory/memory-store.js';
import {
  CLIENT_HEADER,
  decodeInline,
  formatClientHeader,
  INLINE_HEADER,
  MAX_ACKS,
} from '../../../shared/delivery.js';
import type { CookieJar } from '../../fixtures/cookie-jar.js';
import { createTab, type Tab } from '../../fixtures/tab-client.js';
import { texts } from '../../fixtures/texts.js';
import { adapters, type StartAppOptions, TestApps } from '../../fixtures/trpc-server.js';
import { failOnUnhandledRejections } from '../../fixtures/unhandled-rejections.js';
import { countingStore } from '../../fixtures/wrapped-store.js';

failOnUnhandledRejections();

const secret = 'delivery-test-secret-0123456789abcdef';

const apps = new TestApps();
afterEach(async () => {
  await apps.closeAll();
  vi.restoreAllMocks();
});

/** The storages that lease and take acknowledgements, by name. */
const storages: { name: string; make: () => MessageStorage }[] = [
  { name: 'serverStorage', make: () => serverStorage({ secret, store: new MemoryStore() }) },
  { name: 'fallbackStorage', make: () => fallbackStorage({ secret }) },
  { name: 'cookieStorage', make: () => cookieStorage({ secret }) },
];

/** Serves the test app (standalone adapter) for one test. */
function serve(options: StartAppOptions = {}) {
  return apps.start('standalone', { storage: serverStorage({ secret }), ...options });
}

/** A consume whose answer never reaches the tab: the socket is destroyed once the headers are in. */
function lostConsume(url: string, jar: CookieJar, header: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}/messages.consume`, {
      headers: { cookie: jar.header() ?? '', [CLIENT_HEADER]: header },
    });
    request.on('response', () => {
      // The server has done its work and written its answer; the page that asked is gone.
      request.destroy();
      resolve();
    });
    request.on('error', (error) => {
      if (!request.destroyed) reject(error);
    });
    request.end();
  });
}

/** A mutation that adds `text`, then a plain consume: the message's id, for acknowledging. */
async function addAndConsume(tab: Tab, text: string) {
  await tab.client.add.mutate({ text });
  return (await tab.client.messages.consume.query()).messages;
}

describe.each(storages)('leased delivery with $name', ({ make }) => {
  it('hands a consumed message to the same tab again until it is acknowledged (a reload)', async () => {
    const app = await serve({ storage: make() });
    const tab = createTab(app.url, { inline: undefined });
    await tab.client.add.mutate({ text: 'Saved.' });

    const first = await tab.client.messages.consume.query();
    const again = await tab.client.messages.consume.query();
    expect(texts(first.messages)).toEqual(['Saved.']);
    expect(again.messages).toEqual(first.messages);

    tab.acknowledge(first.messages);
    await tab.client.ping.query();
    expect((await tab.client.messages.consume.query()).messages).toEqual([]);
  });

  it('hands a message under another tab’s lease to no other tab of the browser', async () => {
    const app = await serve({ storage: make() });
    const one = createTab(app.url, { inline: undefined });
    const two = createTab(app.url, { jar: one.jar, inline: undefined });
    await one.client.add.mutate({ text: 'For one tab.' });

    expect(texts((await one.client.messages.consume.query()).messages)).toEqual(['For one tab.']);
    expect((await two.client.messages.consume.query()).messages).toEqual([]);
  });

  it('hands an unacknowledged message to another tab once its lease has ended', async () => {
    const app = await serve({ storage: make(), leaseMs: 50 });
    const one = createTab(app.url, { inline: undefined });
    const two = createTab(app.url, { jar: one.jar, inline: undefined });
    await one.client.add.mutate({ text: 'Shown, not acknowledged.' });
    await one.client.messages.consume.query();

    await sleep(120);
    expect(texts((await two.client.messages.consume.query()).messages)).toEqual([
      'Shown, not acknowledged.',
    ]);
  });

  it('never hands an acknowledged message out again, to any tab, however long after', async () => {
    const app = await serve({ storage: make(), leaseMs: 50 });
    const one = createTab(app.url, { inline: undefined });
    const two = createTab(app.url, { jar: one.jar, inline: undefined });
    const shown = await addAndConsume(one, 'Once.');
    one.acknowledge(shown);
    await one.client.ping.query();

    await sleep(120);
    expect((await one.client.messages.consume.query()).messages).toEqual([]);
    expect((await two.client.messages.consume.query()).messages).toEqual([]);
  });

  it('hands out again the answer of a consume that never reached its page', async () => {
    const app = await serve({ storage: make() });
    const tab = createTab(app.url, { inline: undefined });
    await tab.client.add.mutate({ text: 'Lost on the way.' });

    await lostConsume(app.url, tab.jar, formatClientHeader({ tab: tab.tab, acks: [] }));
    // The page reloads: the same tab asks again.
    expect(texts((await tab.client.messages.consume.query()).messages)).toEqual([
      'Lost on the way.',
    ]);
  });

  it('keeps messages in the order they were added across requests, acknowledged or not', async () => {
    const app = await serve({ storage: make() });
    const tab = createTab(app.url, { inline: undefined });
    for (const text of ['one', 'two', 'three', 'four']) await tab.client.add.mutate({ text });
    const all = (await tab.client.messages.consume.query()).messages;
    expect(texts(all)).toEqual(['one', 'two', 'three', 'four']);

    tab.acknowledge([all[2], all[0]].filter((m) => m !== undefined));
    await tab.client.add.mutate({ text: 'five' });
    expect(texts((await tab.client.messages.consume.query()).messages)).toEqual([
      'two',
      'four',
      'five',
    ]);
  });

  it('takes acknowledgements repeated, out of order, for unknown ids or another browser’s harmlessly', async () => {
    const app = await serve({ storage: make() });
    const mine = createTab(app.url, { inline: undefined });
    const theirs = createTab(app.url, { inline: undefined });
    const their = await addAndConsume(theirs, 'Theirs.');
    await mine.client.add.mutate({ text: 'One.' });
    const [first, second] = await addAndConsume(mine, 'Two.');
    if (!first || !second) throw new Error('the tab was handed no messages');

    mine.acknowledge([second, { id: 'no-such-message' }, ...their, second]);
    await mine.client.ping.query();
    mine.acknowledge([second, ...their]);
    await mine.client.ping.query();

    expect(texts((await mine.client.messages.consume.query()).messages)).toEqual(['One.']);
    // One browser can never remove another's messages.
    expect(texts((await theirs.client.messages.consume.query()).messages)).toEqual(['Theirs.']);
  });
});

describe('malformed and oversized client headers', () => {
  it('never fail a request nor lose a message, whatever the header holds', async () => {
    const app = await serve();
    const tab = createTab(app.url, { inline: undefined });
    const shown = await addAndConsume(tab, 'Still here.');
    const id = shown[0]?.id ?? '';
    // Ids close to the message's, never its own (an id may have no lower-case letter).
    const nearMisses = [id.toUpperCase(), id.toLowerCase(), `${id}x`, id.slice(1)].filter(
      (near) => near !== id,
    );
    const junk = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary-ascii', maxLength: 9000 }),
      fc
        .array(fc.string({ maxLength: 70 }), { maxLength: 300 })
        .map((ids) => `ack=${ids.join(' ')}`),
      fc.constantFrom(
        ';;;===',
        'tab=; inline=; ack=',
        `tab=${'x'.repeat(5000)}`,
        `ack=${'x '.repeat(4000)}`,
        `ack=${nearMisses.join(' ')}`,
        'inline=everything; tab=../../etc',
      ),
    );
    await fc.assert(
      fc.asyncProperty(junk, async (header) => {
        // Header values are bytes; what fetch cannot send, no browser sends either.
        const value = header.replace(/[^\x20-\x7e]/g, '');
        const response = await fetch(`${app.url}/ping`, {
          headers: { cookie: tab.jar.header() ?? '', [CLIENT_HEADER]: value },
        });
        expect(response.status).toBe(200);
      }),
      { numRuns: 60 },
    );
    expect(texts((await tab.client.messages.consume.query()).messages)).toEqual(['Still here.']);
  });

  it('reads at most MAX_ACKS acknowledgements of one request, and ignores a header past 8 KB', async () => {
    const store = countingStore();
    const app = await serve({ storage: serverStorage({ secret, store: store.store }) });
    const tab = createTab(app.url, { inline: undefined });
    await tab.client.add.mutate({ text: 'Kept.' });
    const [message] = (await tab.client.messages.consume.query()).messages;
    if (!message) throw new Error('nothing was handed out');

    const ping = (header: string) =>
      fetch(`${app.url}/ping`, {
        headers: { cookie: tab.jar.header() ?? '', [CLIENT_HEADER]: header },
      });
    const unknown = Array.from({ length: MAX_ACKS }, (_, i) => `unknown${i}`);
    // The message's id comes 101st: past the cap.
    expect((await ping(`tab=${tab.tab}; ack=${[...unknown, message.id].join(' ')}`)).status).toBe(
      200,
    );
    // First, but in a header longer than any of ours: ignored whole.
    expect((await ping(`tab=${tab.tab}; ack=${message.id} ${'x '.repeat(5000)}`)).status).toBe(200);

    expect(texts((await tab.client.messages.consume.query()).messages)).toEqual(['Kept.']);
  });
});

describe('inline delivery', () => {
  it('puts a mutation’s message on its own response: one request per flash, no consume', async () => {
    const app = await serve();
    const tab = createTab(app.url);
    await tab.client.add.mutate({ text: 'Inline.' });

    expect(tab.responses).toHaveLength(1);
    expect(texts(tab.inlined)).toEqual(['Inline.']);
  });

  it('lets a page of another origin read the header: it is listed in Access-Control-Expose-Headers', async () => {
    const app = await serve();
    const sameOrigin = createTab(app.url);
    await sameOrigin.client.add.mutate({ text: 'Same origin.' });
    expect(sameOrigin.responses[0]?.headers.get('access-control-expose-headers')).toBeNull();

    const otherOrigin = await fetch(`${app.url}/add`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: 'https://app.example',
        [CLIENT_HEADER]: formatClientHeader({
          tab: 'tab-of-another-origin',
          inline: 'all',
          acks: [],
        }),
      },
      body: JSON.stringify({ text: 'Cross origin.' }),
    });
    expect(otherOrigin.headers.get('access-control-expose-headers')).toBe(INLINE_HEADER);
    expect(texts(decodeInline(otherOrigin.headers.get(INLINE_HEADER))?.messages ?? [])).toEqual([
      'Cross origin.',
    ]);
  });

  it('marks a GET whose response carries messages Cache-Control: no-store', async () => {
    const app = await serve();
    const tab = createTab(app.url);
    expect(await tab.client.greet.query()).toBe('hi');
    expect(texts(tab.inlined)).toEqual(['Hello.']);
    expect(tab.responses[0]?.headers.get('cache-control')).toBe('no-store');
  });

  it('says with an empty list that a request added nothing, so no consume is needed', async () => {
    const app = await serve();
    const tab = createTab(app.url);
    await tab.client.ping.query();
    expect(decodeInline(tab.responses[0]?.headers.get(INLINE_HEADER))).toEqual({
      messages: [],
      leaseMs: 5000,
      more: false,
    });
  });

  it('carries every message of a batch, in the order the procedures added them', async () => {
    const app = await serve();
    const tab = createTab(app.url);
    await Promise.all([
      tab.client.add.mutate({ text: 'Slow.', delayMs: 30 }),
      tab.client.add.mutate({ text: 'Fast.' }),
    ]);
    expect(tab.responses).toHaveLength(1);
    expect(texts(tab.inlined)).toEqual(['Fast.', 'Slow.']);
  });

  it('leases what it carries: a lost response’s messages come again to its tab', async () => {
    const app = await serve();
    const tab = createTab(app.url);
    await tab.client.messages.consume.query(); // the page's first consume gives it a session
    const header = formatClientHeader({ tab: tab.tab, inline: 'all', acks: [] });
    await new Promise<void>((resolve, reject) => {
      const request = httpRequest(`${app.url}/add`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          cookie: tab.jar.header() ?? '',
          [CLIENT_HEADER]: header,
        },
      });
      request.on('response', () => {
        request.destroy();
        resolve();
      });
      request.on('error', (error) => {
        if (!request.destroyed) reject(error);
      });
      request.end(JSON.stringify({ text: 'Inline, lost.' }));
    });
    expect(texts((await tab.client.messages.consume.query()).messages)).toEqual(['Inline, lost.']);
  });

  it.each(adapters)(
    'leaves what a request adds once its page went away (%s) to the tab’s next consume, and tells watchers',
    async (adapter) => {
      const store = new MemoryStore();
      const app = await apps.start(adapter, { storage: serverStorage({ secret, store }) });
      const tab = createTab(app.url);
      await tab.client.messages.consume.query(); // the page's first consume gives it a session
      const recipient = await tab.client.recipient.query();
      const told = new Promise<string | undefined>((resolve) => {
        store.watch(recipientKey(recipient), resolve);
      });
      // A slow save, whose page reloads while it runs: its connection closes before the answer.
      const header = formatClientHeader({ tab: tab.tab, inline: 'all', acks: [] });
      await new Promise<void>((resolve, reject) => {
        const request = httpRequest(`${app.url}/add`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            cookie: tab.jar.header() ?? '',
            [CLIENT_HEADER]: header,
          },
        });
        request.on('error', (error) => {
          if (!request.destroyed) reject(error);
        });
        request.end(JSON.stringify({ text: 'Saved as the page left.', delayMs: 150 }), () => {
          request.destroy();
          resolve();
        });
      });
      // Nothing to consume yet: the save is still running.
      expect((await tab.client.messages.consume.query()).messages).toEqual([]);

      expect(await told).toBe(tab.tab);
      expect(texts((await tab.client.messages.consume.query()).messages)).toEqual([
        'Saved as the page left.',
      ]);
    },
  );

  it('brings a tab in view the messages waiting for it, and a hidden tab only its own', async () => {
    const app = await serve();
    const hidden = createTab(app.url, { inline: 'own' });
    const { recipient } = { recipient: await hidden.client.recipient.query() };
    await app.messages.to(recipient).info('From a job.');

    await hidden.client.add.mutate({ text: 'From the hidden tab.' });
    expect(texts(hidden.inlined)).toEqual(['From the hidden tab.']);

    const visible = createTab(app.url, { jar: hidden.jar, inline: 'all' });
    await visible.client.add.mutate({ text: 'From the visible tab.' });
    expect(texts(visible.inlined)).toEqual(['From a job.', 'From the visible tab.']);
  });

  it('keeps a streamed batch’s messages for a consume: its headers left before they were added', async () => {
    const app = await serve();
    const tab = createTab(app.url, { link: 'httpBatchStreamLink' });
    await tab.client.add.mutate({ text: 'Streamed.' });
    expect(tab.responses[0]?.headers.get(INLINE_HEADER)).toBeNull();
    expect(texts((await tab.client.messages.consume.query()).messages)).toEqual(['Streamed.']);
  });

  it.each(adapters)(
    'works through the %s adapter, for pages of this origin and others',
    async (adapter) => {
      const app = await apps.start(adapter, { storage: serverStorage({ secret }) });
      const tab = createTab(app.url);
      await tab.client.add.mutate({ text: `Through ${adapter}.` });
      expect(texts(tab.inlined)).toEqual([`Through ${adapter}.`]);

      const otherOrigin = await fetch(`${app.url}/ping`, {
        headers: {
          origin: 'https://app.example',
          [CLIENT_HEADER]: formatClientHeader({
            tab: 'tab-of-another-origin',
            inline: 'all',
            acks: [],
          }),
        },
      });
      expect(otherOrigin.headers.get('access-control-expose-headers')).toBe(INLINE_HEADER);
    },
  );

  it('leaves what does not fit an 8 KB header for a consume, and says so', async () => {
    const app = await serve();
    const tab = createTab(app.url);
    const long = 'x'.repeat(3000);
    await Promise.all([1, 2, 3, 4].map((n) => tab.client.add.mutate({ text: `${n} ${long}` })));
    const carried = decodeInline(tab.responses.at(-1)?.headers.get(INLINE_HEADER));
    expect(carried?.more).toBe(true);
    expect(carried?.messages.length).toBeLessThan(4);
    const consumed = (await tab.client.messages.consume.query()).messages;
    expect(new Set([...texts(tab.inlined), ...texts(consumed)]).size).toBe(4);
  });
});

describe('messages.ack', () => {
  it('acknowledges what the client header names, through the client or a body-less keepalive POST', async () => {
    const app = await serve();
    const tab = createTab(app.url, { inline: undefined });
    await tab.client.add.mutate({ text: 'One.' });
    const [one, two] = await addAndConsume(tab, 'Two.');
    if (!one || !two) throw new Error('the tab was handed no messages');

    tab.acknowledge([one]);
    await tab.client.messages.ack.mutate();
    const beacon = await fetch(`${app.url}/messages.ack`, {
      method: 'POST',
      keepalive: true,
      headers: {
        // tRPC answers a POST without a JSON content type 415, even when it reads no body.
        'content-type': 'application/json',
        cookie: tab.jar.header() ?? '',
        [CLIENT_HEADER]: formatClientHeader({ tab: tab.tab, acks: [two.id] }),
      },
    });
    expect(beacon.status).toBe(200);
    expect((await tab.client.messages.consume.query()).messages).toEqual([]);
  });

  it('lets a mutation succeed when the store is down during its acknowledgements', async () => {
    const store = countingStore();
    const onError = vi.fn();
    const app = await serve({ storage: serverStorage({ secret, store: store.store }), onError });
    const tab = createTab(app.url, { inline: undefined });
    const shown = await addAndConsume(tab, 'Shown.');
    store.state.down = true;
    tab.acknowledge(shown);
    await expect(tab.client.add.mutate({ text: 'Still saved?' })).resolves.toBe('Still saved?');
    expect(onError).toHaveBeenCalled();
    store.state.down = false;
    // The acknowledgement did not land: the message may come again (the client's dedupe holds it).
    expect(texts((await tab.client.messages.consume.query()).messages)).toEqual(['Shown.']);
  });
});
