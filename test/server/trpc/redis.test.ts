import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { MessagesDroppedError } from '../../../server/reports/messages-dropped-error.js';
import type { Recipient } from '../../../server/storage/backend.js';
import { fallbackStorage } from '../../../server/storage/fallback-storage.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { RedisOutageError } from '../../../server/stores/redis/redis-outage.js';
import {
  RedisStore,
  type RedisStoreClient,
  type RedisStoreOptions,
} from '../../../server/stores/redis/redis-store.js';
import { MAX_ACKS } from '../../../shared/delivery.js';
import { INFO } from '../../../shared/levels.js';
import type { Message } from '../../../shared/message.js';
import { CookieJar } from '../../fixtures/cookie-jar.js';
import { closeLiveStreams, LiveStream } from '../../fixtures/live-stream.js';
import {
  type CommandCounts,
  commandCounts,
  commandsBetween,
  scriptRoundTrips,
} from '../../fixtures/redis-commands.js';
import { startRedisServer } from '../../fixtures/redis-server.js';
import { sessionIdOf as idInCookie } from '../../fixtures/session-cookie.js';
import { createTab, newTabId } from '../../fixtures/tab-client.js';
import { browserFetch, createBrowser } from '../../fixtures/trpc-client.js';
import { type Adapter, type RunningApp, startApp } from '../../fixtures/trpc-server.js';
import { failOnUnhandledRejections } from '../../fixtures/unhandled-rejections.js';

failOnUnhandledRejections();

// A redis-server of this file's own, on a free port: the machine's shared Redis is never touched.
const redis = await startRedisServer();
afterAll(() => redis?.stop());

const secret = 'redis-test-secret-0123456789abcdef';
const SESSION_COOKIE = 'messages_session';
const MESSAGES_COOKIE = 'messages';

const texts = (result: { readonly messages: readonly Message[] }) =>
  result.messages.map((m) => m.message);

/** Closes clients a test made of its own, after it. */
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const clients: Redis[] = [];
afterAll(async () => {
  await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
});

/**
 * A new ioredis client of the test server, ready, as an app instance would create its own. Tuned
 * so that a Redis that is down fails requests fast: no offline queue (a command sent while
 * disconnected fails at once instead of waiting for a reconnect), one retry per command, and a
 * reconnect every 50 ms rather than backing off to 2 s, so a restarted Redis is found quickly.
 * The store's commandTimeoutMs bounds the rest: a command sent to a Redis that stopped answering.
 */
async function connect(): Promise<Redis> {
  if (!redis) throw new Error('no redis-server');
  const client = new Redis({
    host: '127.0.0.1',
    port: redis.port,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: () => 50,
  });
  // ioredis reports each failed reconnect; the fault tests look at what the app reports.
  client.on('error', () => {});
  clients.push(client);
  await once(client, 'ready');
  return client;
}

/** The client libraries RedisStore takes, each tested on the same server. */
const libraries = ['ioredis', 'node-redis'] as const;
type Library = (typeof libraries)[number];

const nodeRedisClients: { close(): Promise<unknown> }[] = [];
afterAll(() => Promise.all(nodeRedisClients.map((client) => client.close().catch(() => {}))));

/**
 * A new node-redis client of the test server, connected, tuned as `connect` tunes ioredis: no
 * offline queue, and a reconnect every 50 ms.
 */
async function connectNodeRedis(): Promise<RedisStoreClient> {
  if (!redis) throw new Error('no redis-server');
  const client = createClient({
    url: redis.url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: () => 50 },
  });
  client.on('error', () => {});
  nodeRedisClients.push(client);
  await client.connect();
  return client;
}

/** An app instance's client of `library`. */
const clientOf = (library: Library): Promise<RedisStoreClient> =>
  library === 'ioredis' ? connect() : connectNodeRedis();

let adminClient: Redis | undefined;
/** A client for looking at Redis behind the stores' backs. */
async function admin(): Promise<Redis> {
  adminClient ??= await connect();
  return adminClient;
}

/** What the apps reported through onError, with where; a test that expects reports drains it. */
const reported: { error: unknown; path: string | undefined }[] = [];
/**
 * The outages the apps' stores reported (to onError, with no path), apart: a test that kills
 * Redis causes them whatever it checks; the test of those reports looks at them.
 */
const outages: RedisOutageError[] = [];
const running: RunningApp[] = [];
const stores: RedisStore[] = [];
afterEach(async () => {
  // Streams first: one whose server went away would reconnect.
  closeLiveStreams();
  await Promise.all(running.splice(0).map((app) => app.close()));
  await Promise.all(stores.splice(0).map((store) => store.close()));
  expect(reported.splice(0)).toEqual([]);
  outages.length = 0;
});

/** How an app instance keeps its messages in Redis. */
interface InstanceOptions {
  readonly adapter?: Adapter;
  /** The instance's client (default: a new one of `library`). */
  readonly client?: RedisStoreClient;
  /** The client library of the instance's RedisStore (default ioredis). */
  readonly library?: Library;
  /** serverStorage (the default) or fallbackStorage, over the instance's RedisStore. */
  readonly storage?: 'server' | 'fallback';
  /** Sign requests in by their x-user-id header. */
  readonly users?: boolean;
  readonly store?: Partial<RedisStoreOptions>;
  /** How long messages handed to a tab are leased to it (default: the kit's, 5 s). */
  readonly leaseMs?: number;
}

/**
 * One instance of the app: its own ioredis client and RedisStore, the secret every instance
 * shares, served on a port of its own; closed after the test.
 */
async function instance(options: InstanceOptions = {}): Promise<RunningApp> {
  const store = new RedisStore({
    client: options.client ?? (await clientOf(options.library ?? 'ioredis')),
    commandTimeoutMs: 500,
    ...options.store,
  });
  stores.push(store);
  const app = await startApp(options.adapter ?? 'standalone', {
    storage:
      options.storage === 'fallback'
        ? fallbackStorage({ secret, server: { store } })
        : serverStorage({ secret, store }),
    users: options.users ?? false,
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    onError: (error, { path }) =>
      error instanceof RedisOutageError ? outages.push(error) : reported.push({ error, path }),
  });
  running.push(app);
  return app;
}

/** Two instances of the app on the one Redis, behind different adapters. */
const twoInstancesOf = (options: Omit<InstanceOptions, 'adapter'> = {}) =>
  Promise.all([
    instance({ ...options, adapter: 'standalone' }),
    instance({ ...options, adapter: 'fetch' }),
  ]);

const result = z.object({ result: z.object({ data: z.unknown() }) });
const consumed = z.object({ messages: z.array(z.object({ message: z.string() })) });

/**
 * One call as httpLink sends it (a POST with the input as body for a mutation, a GET for a
 * query), with the cookies of `jar`: the HTTP status and, on a 200, the result's data.
 */
async function call(
  app: RunningApp,
  jar: CookieJar,
  procedure: 'add' | 'ping' | 'messages.consume',
  input?: unknown,
): Promise<{ status: number; data: unknown }> {
  const response = await browserFetch(jar)(
    `${app.url}/${procedure}`,
    input === undefined
      ? {}
      : {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(input),
        },
  );
  const body: unknown = await response.json();
  return {
    status: response.status,
    data: response.status === 200 ? result.parse(body).result.data : body,
  };
}

/** The texts a consume call returned, failing unless it answered 200. */
async function consumeTexts(app: RunningApp, jar: CookieJar): Promise<string[]> {
  const { status, data } = await call(app, jar, 'messages.consume');
  expect(status).toBe(200);
  return consumed.parse(data).messages.map((m) => m.message);
}

/** The id the session cookie in `jar` carries. */
function sessionIdOf(jar: CookieJar): string {
  const cookie = jar.get(SESSION_COOKIE);
  if (cookie === undefined) throw new Error('the browser has no session cookie');
  return idInCookie(cookie);
}

/** The Redis list (and channel) of a recipient's messages under the default prefix. */
const redisKey = (recipient: Recipient) =>
  'userId' in recipient
    ? `trpc-messages:{user:${recipient.userId}}`
    : `trpc-messages:{session:${recipient.sessionId}}`;

/** The commands Redis ran while `work` did (INFO commandstats, before and after). */
async function commandsDuring(work: () => Promise<unknown>): Promise<CommandCounts> {
  const client = await admin();
  const before = await commandCounts(client);
  await work();
  return commandsBetween(before, await commandCounts(client));
}

/** Redis's clock, in ms since the epoch: the one every instance keeps leases by. */
async function redisNow(): Promise<number> {
  const [seconds, microseconds] = await (await admin()).time();
  return Number(seconds) * 1000 + Math.floor(Number(microseconds) / 1000);
}

/** The lease Redis keeps on a recipient's message: its holder, and until when (Redis's clock). */
async function leaseOf(
  recipient: Recipient,
  id: string,
): Promise<{ holder: string; until: number }> {
  const lease = await (await admin()).hget(`${redisKey(recipient)}:leases`, id);
  const [, holder, until] = /^(\S+) (\d+)$/.exec(lease ?? '') ?? [];
  if (holder === undefined || until === undefined) throw new Error(`message ${id} has no lease`);
  return { holder, until: Number(until) };
}

/** One request of a tab of a `LeasingBrowser`. */
interface TabRequest {
  /** Which of the browser's tabs sends it. */
  readonly tab: number;
  /** Which app instance the load balancer sends it to. */
  readonly instance: number;
  /**
   * An add (a mutation that adds a message of its own text), a consume, or a request that
   * carries the tab's acknowledgements if it has any: a query (ping) or messages.ack.
   */
  readonly kind: 'add' | 'consume' | 'ping' | 'ack';
  /** What its response may carry: every message waiting ('all'), or none. */
  readonly inline: 'all' | undefined;
}

/** A message handed to a request of a tab, with when the request was sent and answered. */
interface Handout {
  readonly tab: number;
  readonly sent: number;
  readonly answered: number;
}

/**
 * A browser whose tabs take delivery as the kit's client does: a tab acknowledges every message
 * it is handed (by a consume or inline) on its next request, at most MAX_ACKS a request, and a
 * message is shown once in the whole browser, its tabs sharing the ids shown as the client's
 * BroadcastChannel makes them. It notes what a test checks: the texts added and shown, every
 * handout, and the script calls (EVALSHA) the requests should cost: one for each request that
 * touches messages (it adds, consumes or carries acknowledgements), none for the others.
 */
class LeasingBrowser {
  readonly jar = new CookieJar();
  readonly added: string[] = [];
  /** How many times each text was shown, across the tabs. */
  readonly shown = new Map<string, number>();
  /** Texts handed to a request sent after an acknowledgement of theirs was answered. */
  readonly handedAfterAck: string[] = [];
  readonly requests = { add: 0, consume: 0, ping: 0, ack: 0, carryingAcks: 0 };
  handedOut = 0;
  expectedScripts = 0;
  readonly #apps: readonly RunningApp[];
  readonly #leaseMs: number;
  readonly #tabs: { readonly id: string; readonly pending: string[]; closed: boolean }[];
  readonly #shownIds = new Set<string>();
  /** When each id's acknowledgement was first answered (performance.now()). */
  readonly #ackAnswered = new Map<string, number>();
  /** Every handout of each message, by text. */
  readonly #handouts = new Map<string, Handout[]>();

  constructor(apps: readonly RunningApp[], options: { tabs: number; leaseMs: number }) {
    this.#apps = apps;
    this.#leaseMs = options.leaseMs;
    this.#tabs = Array.from({ length: options.tabs }, () => ({
      id: newTabId(),
      pending: [],
      closed: false,
    }));
  }

  get tabCount(): number {
    return this.#tabs.length;
  }

  /** The tabs still open, by index. */
  get openTabs(): number[] {
    return this.#tabs.flatMap((tab, index) => (tab.closed ? [] : [index]));
  }

  /** Acknowledgements that wait for an open tab's next request. */
  get pendingAcks(): number {
    return this.#tabs.reduce((sum, tab) => sum + (tab.closed ? 0 : tab.pending.length), 0);
  }

  /**
   * Closes a tab before it acknowledged what it was last handed (its pending acknowledgements
   * are lost, as with a page gone before its beacon): those messages are leased to it until
   * their leases end. What its requests still on the wire are handed is never acknowledged
   * either.
   */
  close(index: number): void {
    const tab = this.#tabs[index];
    if (!tab) throw new Error(`no tab ${index}`);
    tab.closed = true;
  }

  /** Sends a request of a tab as the real client does: the text it added, if any, and what it got. */
  async send({
    tab: index,
    instance,
    kind,
    inline,
  }: TabRequest): Promise<{ added?: string; handed: readonly Message[] }> {
    const tab = this.#tabs[index];
    const app = this.#apps[instance];
    if (!tab || !app) throw new Error(`no tab ${index} or instance ${instance}`);
    if (tab.closed) throw new Error(`tab ${index} is closed`);
    // A client of its own for each request, so that it carries exactly the acks taken here.
    const { client, acknowledge, inlined } = createTab(app.url, {
      jar: this.jar,
      tab: tab.id,
      inline,
      link: 'httpLink',
    });
    const acks = tab.pending.splice(0, MAX_ACKS);
    acknowledge(acks.map((id) => ({ id })));
    this.requests[kind]++;
    if (acks.length > 0) this.requests.carryingAcks++;
    if (kind === 'add' || kind === 'consume' || acks.length > 0) this.expectedScripts++;
    const sent = performance.now();
    let consumed: readonly Message[] = [];
    let added: string | undefined;
    if (kind === 'add') {
      added = `Message ${this.added.length}.`;
      this.added.push(added);
      expect(await client.add.mutate({ text: added })).toBe(added);
    } else if (kind === 'consume') {
      consumed = (await client.messages.consume.query()).messages;
    } else if (kind === 'ping') {
      expect(await client.ping.query()).toBe('pong');
    } else {
      await client.messages.ack.mutate();
    }
    const answered = performance.now();
    for (const id of acks) if (!this.#ackAnswered.has(id)) this.#ackAnswered.set(id, answered);
    const handed = [...consumed, ...inlined];
    for (const message of handed) {
      this.handedOut++;
      const acknowledged = this.#ackAnswered.get(message.id);
      if (acknowledged !== undefined && acknowledged < sent) {
        this.handedAfterAck.push(message.message);
      }
      const handouts = this.#handouts.get(message.message) ?? [];
      handouts.push({ tab: index, sent, answered });
      this.#handouts.set(message.message, handouts);
      if (!this.#shownIds.has(message.id)) {
        this.#shownIds.add(message.id);
        this.shown.set(message.message, (this.shown.get(message.message) ?? 0) + 1);
      }
      // Shown here or before: acknowledged either way, as the client does.
      if (!tab.pending.includes(message.id)) tab.pending.push(message.id);
    }
    return added === undefined ? { handed } : { added, handed };
  }

  /** The tabs a message was handed to, by its text. */
  tabsHanded(text: string): number[] {
    return [...new Set((this.#handouts.get(text) ?? []).map((handout) => handout.tab))];
  }

  /** How many handouts went to another tab than the message's previous handout (leases ended). */
  handedToAnotherTab(): number {
    let count = 0;
    for (const handouts of this.#handouts.values()) {
      const ordered = [...handouts].sort((x, y) => x.sent - y.sent);
      for (const [i, handout] of ordered.entries()) {
        if (i > 0 && handout.tab !== ordered[i - 1]?.tab) count++;
      }
    }
    return count;
  }

  /**
   * Texts surely handed to one tab while another tab's lease on them ran: a handout to tab Y
   * sent after one to tab X was answered, and itself answered before X's lease could end
   * (lease counted from X's request being sent; 2 ms spare for Redis's clock, read in whole ms).
   */
  handedUnderAnotherLease(): string[] {
    const texts: string[] = [];
    for (const [text, handouts] of this.#handouts) {
      const clash = handouts.some((x) =>
        handouts.some(
          (y) => y.tab !== x.tab && x.answered < y.sent && y.answered < x.sent + this.#leaseMs - 2,
        ),
      );
      if (clash) texts.push(text);
    }
    return texts;
  }
}

describe.skipIf(!redis).each(libraries)('two app instances on one Redis through %s', (library) => {
  const twoInstances = (options: Omit<InstanceOptions, 'adapter' | 'library'> = {}) =>
    twoInstancesOf({ ...options, library });

  it('delivers a message added on instance A by a consume on instance B, once', async () => {
    const [a, b] = await twoInstances();
    const onA = createBrowser(a.url);
    // The same browser (one cookie jar), its next request routed to the other instance.
    const onB = createBrowser(b.url, 'httpBatchLink', { jar: onA.jar });

    expect(await onA.client.add.mutate({ text: 'Saved on A.' })).toBe('Saved on A.');

    expect((await onB.client.messages.consume.query()).messages).toEqual([
      expect.objectContaining({ level: 25, message: 'Saved on A.', levelTag: 'success' }),
    ]);
    expect(texts(await onA.client.messages.consume.query())).toEqual([]);
  });

  it('delivers each of 500 messages exactly once over 1000 concurrent adds and consumes of one session on both instances', async () => {
    // A high cap, so that no message is trimmed however the requests happen to interleave; the
    // default timeout, since this pins delivery under load, not latency.
    const [a, b] = await twoInstances({
      store: { maxMessagesPerKey: 1000, commandTimeoutMs: 2000 },
    });
    const { jar } = createBrowser(a.url);
    expect(await consumeTexts(a, jar)).toEqual([]);
    expect(jar.get(SESSION_COOKIE)).toBeDefined();
    const added = Array.from({ length: 500 }, (_, i) => `Message ${i}.`);
    // Adds and consumes in turn, each kind on both instances.
    const requests = added.flatMap((text, i) => {
      const [first, second] = i % 2 === 0 ? [a, b] : [b, a];
      return [
        async () => {
          const { status, data } = await call(first, jar, 'add', { text });
          expect({ status, data }).toEqual({ status: 200, data: text });
          return [];
        },
        () => consumeTexts(second, jar),
      ];
    });

    const delivered: string[] = [];
    for (let start = 0; start < requests.length; start += 100) {
      const batch = requests.slice(start, start + 100);
      for (const got of await Promise.all(batch.map((request) => request()))) {
        delivered.push(...got);
      }
    }
    delivered.push(...(await consumeTexts(b, jar)));

    expect(new Set(delivered).size).toBe(delivered.length);
    expect([...delivered].sort()).toEqual([...added].sort());
    expect(await consumeTexts(a, jar)).toEqual([]);
  });

  it('signals, on instance A, a job’s message sent through instance B; the consume on A returns it once', async ({
    annotate,
  }) => {
    const [a, b] = await twoInstances();
    const browser = createBrowser(a.url);
    const recipient = await browser.client.recipient.query();
    const stream = new LiveStream(browser.client);
    await stream.started;
    // Instance A subscribed to the browser's channel in Redis.
    await vi.waitFor(async () => {
      expect(await (await admin()).pubsub('NUMSUB', redisKey(recipient))).toEqual([
        redisKey(recipient),
        1,
      ]);
    });
    // Nothing is waiting: no signal yet (RedisStore signals a subscription gone live only if
    // its list holds messages).
    const signalsBefore = stream.signals.length;

    const sentAt = performance.now();
    await b.messages.to(recipient).info('Your export is ready.');
    await stream.signalled(signalsBefore + 1);

    const after = (stream.signals[signalsBefore]?.at ?? Number.NaN) - sentAt;
    // Reported, not asserted: a loaded machine takes longer.
    await annotate(`signal on A ${after.toFixed(1)} ms after the send through B`);
    expect((await browser.client.messages.consume.query()).messages).toEqual([
      expect.objectContaining({ level: INFO, message: 'Your export is ready.' }),
    ]);
    expect(texts(await browser.client.messages.consume.query())).toEqual([]);
    expect(stream.errors).toEqual([]);
  });
});

describe.skipIf(!redis).each(libraries)(
  'Redis round trips per request through %s (INFO commandstats)',
  (library) => {
    const twoInstances = (options: Omit<InstanceOptions, 'adapter' | 'library'> = {}) =>
      twoInstancesOf({ ...options, library });

    // Redis counts a script's own commands too: an EVALSHA (or EVAL) is the one round trip, the
    // rest ran inside it.

    it('costs an add one EVALSHA, a consume without the kit’s header two when it is handed messages (the take, then its acknowledgement) and one when not, and a request that touches no message none', async ({
      annotate,
    }) => {
      const a = await instance({ library });
      const { jar } = createBrowser(a.url);
      // The first consume gives the browser its session; the first uses of each script load it.
      await consumeTexts(a, jar);
      await call(a, jar, 'add', { text: 'Warm-up.' });
      await consumeTexts(a, jar);

      const add = await commandsDuring(() => call(a, jar, 'add', { text: 'Saved.' }));
      const consumeOne = await commandsDuring(() => consumeTexts(a, jar));
      const consumeNone = await commandsDuring(() => consumeTexts(a, jar));
      const ping = await commandsDuring(() => call(a, jar, 'ping'));

      await annotate(
        `round trips: add ${scriptRoundTrips(add)}, consume ${scriptRoundTrips(consumeOne)}, ` +
          `ping ${scriptRoundTrips(ping)}`,
      );
      // Each script first reads whether its key was retired (a GET).
      expect(add).toEqual({ evalsha: 1, get: 1, rpush: 1, expire: 1, publish: 1 });
      // A client that does not acknowledge (no kit header) takes: one script leases what it is
      // handed to the take alone, a second removes exactly that once the reply is in, so a take
      // Redis would run after the store gave up on it removes nothing.
      expect(consumeOne).toEqual({
        evalsha: 2,
        get: 2,
        time: 1,
        lrange: 2,
        hgetall: 1,
        hset: 1,
        expire: 1,
        lrem: 1,
        hdel: 1,
      });
      // Nothing handed out, nothing to acknowledge (the lease's clock is read all the same).
      expect(consumeNone).toEqual({ evalsha: 1, get: 1, time: 1, lrange: 1 });
      expect(ping).toEqual({});
    });

    it('costs a consume that carries acknowledgements one EVALSHA: they are removed in the script that hands out', async ({
      annotate,
    }) => {
      const a = await instance({ library });
      const tab = createTab(a.url, { inline: undefined });
      // The first consume gives the browser its session and loads the script.
      expect(texts(await tab.client.messages.consume.query())).toEqual([]);
      await tab.client.add.mutate({ text: 'Shown.' });
      const shown = (await tab.client.messages.consume.query()).messages;
      expect(texts({ messages: shown })).toEqual(['Shown.']);
      await tab.client.add.mutate({ text: 'Not shown yet.' });

      tab.acknowledge(shown);
      let handed: string[] = [];
      const consume = await commandsDuring(async () => {
        handed = texts(await tab.client.messages.consume.query());
      });

      await annotate(`consume with an acknowledgement: ${JSON.stringify(consume)}`);
      expect(scriptRoundTrips(consume)).toBe(1);
      // The acknowledged message left the list inside that one script.
      expect(consume).toMatchObject({ evalsha: 1, lrem: 1, hdel: 1 });
      expect(handed).toEqual(['Not shown yet.']);
      expect(await (await admin()).llen(redisKey({ sessionId: sessionIdOf(tab.jar) }))).toBe(1);
    });

    it('costs an add delivered inline one EVALSHA, with or without acknowledgements on it', async ({
      annotate,
    }) => {
      const a = await instance({ library });
      const tab = createTab(a.url, { inline: 'all' });
      expect(texts(await tab.client.messages.consume.query())).toEqual([]);
      await tab.client.add.mutate({ text: 'Warm-up.' });
      tab.acknowledge(tab.inlined);
      await tab.client.ping.query();
      const warmUp = tab.inlined.length;

      const add = await commandsDuring(() => tab.client.add.mutate({ text: 'Inline.' }));
      expect(texts({ messages: tab.inlined.slice(warmUp) })).toEqual(['Inline.']);
      tab.acknowledge(tab.inlined.slice(warmUp));
      const addWithAck = await commandsDuring(() => tab.client.add.mutate({ text: 'Inline too.' }));

      await annotate(
        `inline add: ${JSON.stringify(add)}; inline add with an acknowledgement: ${JSON.stringify(addWithAck)}`,
      );
      expect(scriptRoundTrips(add)).toBe(1);
      expect(add).toMatchObject({ evalsha: 1, rpush: 1 });
      // Delivered as added: no watcher needs telling.
      expect(add.publish).toBeUndefined();
      expect(scriptRoundTrips(addWithAck)).toBe(1);
      expect(addWithAck).toMatchObject({ evalsha: 1, rpush: 1, lrem: 1 });
      expect(texts({ messages: tab.inlined.slice(warmUp) })).toEqual(['Inline.', 'Inline too.']);
      expect(await (await admin()).llen(redisKey({ sessionId: sessionIdOf(tab.jar) }))).toBe(1);
    });

    it('costs a request that only carries acknowledgements one EVALSHA (a query or messages.ack), and a ping none', async ({
      annotate,
    }) => {
      const a = await instance({ library });
      const tab = createTab(a.url, { inline: undefined });
      expect(texts(await tab.client.messages.consume.query())).toEqual([]);
      await tab.client.add.mutate({ text: 'One.' });
      await tab.client.add.mutate({ text: 'Two.' });
      const [one, two] = (await tab.client.messages.consume.query()).messages;
      if (!one || !two) throw new Error('the tab was handed fewer than two messages');

      tab.acknowledge([one]);
      const query = await commandsDuring(() => tab.client.ping.query());
      tab.acknowledge([two]);
      const ack = await commandsDuring(() => tab.client.messages.ack.mutate());
      const ping = await commandsDuring(() => tab.client.ping.query());
      const emptyAck = await commandsDuring(() => tab.client.messages.ack.mutate());

      await annotate(
        `acknowledging query ${scriptRoundTrips(query)}, messages.ack ${scriptRoundTrips(ack)}, ` +
          `ping ${scriptRoundTrips(ping)}, messages.ack with nothing to acknowledge ${scriptRoundTrips(emptyAck)}`,
      );
      expect(query).toMatchObject({ evalsha: 1, lrem: 1 });
      expect(scriptRoundTrips(query)).toBe(1);
      expect(ack).toMatchObject({ evalsha: 1, lrem: 1 });
      expect(scriptRoundTrips(ack)).toBe(1);
      expect(ping).toEqual({});
      expect(emptyAck).toEqual({});
      expect(await (await admin()).exists(redisKey({ sessionId: sessionIdOf(tab.jar) }))).toBe(0);
    });

    it("moves a signed-in browser's visitor session to its user on its first request, then reads one key", async () => {
      const [a, b] = await twoInstances({ users: true });
      const visitor = createBrowser(a.url);
      await visitor.client.add.mutate({ text: 'Added as a visitor.' });
      await b.messages.to({ userId: '7' }).info('For user 7.');
      // The same browser, signed in: its requests carry the user id and still the session cookie.
      const signedIn = createBrowser(b.url, 'httpBatchLink', { userId: '7', jar: visitor.jar });

      let consumedTexts: string[] = [];
      const first = await commandsDuring(async () => {
        consumedTexts = texts(await signedIn.client.messages.consume.query());
      });
      const next = await commandsDuring(() => signedIn.client.messages.consume.query());

      // The session retired (one script), its message appended to the user's (another), then
      // the consume (a take: two more); the session cookie is dropped.
      expect(first.evalsha).toBe(4);
      expect(consumedTexts).toEqual(['For user 7.', 'Added as a visitor.']);
      expect(signedIn.jar.get(SESSION_COOKIE)).toBeUndefined();
      expect(next).toEqual({ evalsha: 1, get: 1, time: 1, lrange: 1 });
    });

    it("sends a script's source only when Redis lacks it: EVALSHA refused, then EVAL, then EVALSHA alone", async () => {
      const a = await instance({ library });
      const { jar } = createBrowser(a.url);
      await call(a, jar, 'add', { text: 'Warm-up.' });
      await (await admin()).script('FLUSH');

      const first = await commandsDuring(() => call(a, jar, 'add', { text: 'First.' }));
      const second = await commandsDuring(() => call(a, jar, 'add', { text: 'Second.' }));

      expect(scriptRoundTrips(first)).toBe(2);
      expect(first).toMatchObject({ evalsha: 1, eval: 1 });
      expect(scriptRoundTrips(second)).toBe(1);
      expect(second).toMatchObject({ evalsha: 1 });
      expect(await consumeTexts(a, jar)).toEqual(['Warm-up.', 'First.', 'Second.']);
    });
  },
);

describe.skipIf(!redis)('the key layout, seen over HTTP', () => {
  it("keeps a session's messages in one list, trpc-messages:{session:<the cookie's id>}, with a TTL", async () => {
    const client = await admin();
    await client.flushall();
    const a = await instance();
    const { client: browser, jar } = createBrowser(a.url);

    await browser.add.mutate({ text: 'Saved.' });

    const key = `trpc-messages:{session:${sessionIdOf(jar)}}`;
    const [, keys] = await client.scan('0', 'COUNT', 1000);
    expect(keys).toEqual([key]);
    expect(await client.type(key)).toBe('list');
    expect(await client.llen(key)).toBe(1);
    const ttl = await client.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(86_400);
  });
});

describe.skipIf(!redis).each(libraries)(
  'leased delivery across two app instances on one Redis through %s',
  (library) => {
    const twoInstances = (options: Omit<InstanceOptions, 'adapter' | 'library'> = {}) =>
      twoInstancesOf({ ...options, library });

    it('hands a message leased to tab A on one instance to no tab B on the other until the lease ends, then to B unless A acknowledged it', async () => {
      // Long enough for B to ask, three round trips after A, before the lease ends on a loaded
      // machine (500 ms was not); the test waits it out once.
      const [one, two] = await twoInstances({ leaseMs: 2000 });
      const a = createTab(one.url, { inline: undefined });
      const b = createTab(two.url, { jar: a.jar, inline: undefined });
      // The first consume gives the browser its session.
      expect(texts(await a.client.messages.consume.query())).toEqual([]);
      const recipient = { sessionId: sessionIdOf(a.jar) };
      // From a job: free messages, leased to no tab until one is handed them.
      await two.messages.to(recipient).info('Acknowledged by A.');
      await two.messages.to(recipient).info('Left unacknowledged by A.');

      const handedToA = (await a.client.messages.consume.query()).messages;
      expect(texts({ messages: handedToA })).toEqual([
        'Acknowledged by A.',
        'Left unacknowledged by A.',
      ]);
      const [acknowledged, unacknowledged] = handedToA;
      if (!acknowledged || !unacknowledged) throw new Error('tab A was handed too few messages');
      const lease = await leaseOf(recipient, unacknowledged.id);
      expect(lease.holder).toBe(a.tab);
      expect(await leaseOf(recipient, acknowledged.id)).toEqual(lease);

      expect(texts(await b.client.messages.consume.query())).toEqual([]);
      // B asked before the lease ended, by the clock leases are kept by.
      expect(await redisNow()).toBeLessThan(lease.until);
      a.acknowledge([acknowledged]);
      await a.client.ping.query();

      // The one wait for time itself: past the lease's end, by Redis's clock.
      await vi.waitFor(async () => expect(await redisNow()).toBeGreaterThan(lease.until), {
        timeout: 10_000,
        interval: 10,
      });
      expect(texts(await b.client.messages.consume.query())).toEqual(['Left unacknowledged by A.']);
      expect((await leaseOf(recipient, unacknowledged.id)).holder).toBe(b.tab);
      // Leased to B now: A, which never acknowledged it, is not handed it again.
      expect(texts(await a.client.messages.consume.query())).toEqual([]);
      expect(await (await admin()).llen(redisKey(recipient))).toBe(1);
    });

    it('shows every message once (none lost, none shown twice) over 1000 concurrent adds, consumes and acknowledgements of one browser’s tabs on both instances, one tab closing half way, at one EVALSHA per request that touches messages', async ({
      annotate,
    }) => {
      // A short lease, so that the closed tab's leases end within the test and some others end
      // while their acknowledgement is on its way; a high cap, so that no message is trimmed
      // however the requests interleave.
      const leaseMs = 100;
      // The default timeout: this pins delivery under load, not latency.
      const apps = await twoInstances({
        leaseMs,
        store: { maxMessagesPerKey: 1000, commandTimeoutMs: 2000 },
      });
      const browser = new LeasingBrowser(apps, { tabs: 6, leaseMs });
      const closing = 5;
      // The browser's first consume gives it its session (and loads the script).
      expect(await consumeTexts(apps[0], browser.jar)).toEqual([]);
      const key = redisKey({ sessionId: sessionIdOf(browser.jar) });
      const seed = Date.now() % 2 ** 31;
      const kind = fc.oneof(
        { arbitrary: fc.constant('add' as const), weight: 4 },
        { arbitrary: fc.constant('consume' as const), weight: 3 },
        { arbitrary: fc.constant('ping' as const), weight: 2 },
        { arbitrary: fc.constant('ack' as const), weight: 1 },
      );
      const requestsOf = (tabs: number, count: number, sampleSeed: number) =>
        fc.sample(
          fc.record({
            tab: fc.nat({ max: tabs - 1 }),
            instance: fc.nat({ max: apps.length - 1 }),
            kind,
            inline: fc.constantFrom('all' as const, undefined),
          }),
          { seed: sampleSeed, numRuns: count },
        );
      // The tab that closes sends only in the first half, the last of its requests a save whose
      // message comes inline: it closes as that answer comes, before acknowledging it.
      const half = 500;
      const lastOfClosing = { tab: closing, instance: 0, kind: 'add', inline: 'all' } as const;
      const requests = [
        ...requestsOf(6, half - 1, seed),
        lastOfClosing,
        ...requestsOf(5, 1000 - half, seed + 1),
      ];

      let lastSavedByClosing = '';
      let drainRounds = 0;
      let drained = false;
      const started = performance.now();
      const ran = await commandsDuring(async () => {
        // 100 requests in flight at any time, each sent as the one before it in its slot answers.
        const queue = requests.values();
        await Promise.all(
          Array.from({ length: 100 }, async () => {
            for (const request of queue) {
              const { added } = await browser.send(request);
              if (request !== lastOfClosing) continue;
              browser.close(closing);
              lastSavedByClosing = added ?? '';
            }
          }),
        );
        // Drain: the open tabs consume (carrying their acknowledgements) until nothing is left;
        // what the closed tab held comes once its leases end. A drain that does not end is a
        // failure, checked below.
        while (!drained && drainRounds < 20) {
          drainRounds++;
          let handed = 0;
          for (const tab of browser.openTabs) {
            const request = { tab, instance: tab % 2, kind: 'consume', inline: undefined } as const;
            handed += (await browser.send(request)).handed.length;
          }
          if (handed > 0 || browser.pendingAcks > 0) continue;
          drained = (await (await admin()).exists(key)) === 0;
          // Nothing handed, yet messages left: leased to the closed tab. The one wait for time.
          if (!drained) await sleep(leaseMs);
        }
      });
      const took = performance.now() - started;

      const lost = browser.added.filter((text) => !browser.shown.has(text));
      const shownTwice = [...browser.shown].filter(([, times]) => times > 1).map(([text]) => text);
      const neverAdded = [...browser.shown.keys()].filter((text) => !browser.added.includes(text));
      const { requests: sent } = browser;
      await annotate(
        `seed ${seed}: ${requests.length} requests (${sent.add} adds, ${sent.consume} consumes, ` +
          `${sent.ping} pings, ${sent.ack} messages.ack; ${sent.carryingAcks} carrying acknowledgements) ` +
          `in ${took.toFixed(0)} ms with ${drainRounds} drain round(s); ` +
          `${browser.added.length} added, ${browser.shown.size} shown, ${browser.handedOut} handed out ` +
          `(${browser.handedToAnotherTab()} times to another tab than the time before); ` +
          `${scriptRoundTrips(ran)} script calls for ${browser.expectedScripts} requests that touch messages`,
      );
      expect({ lost, shownTwice, neverAdded }, `seed ${seed}`).toEqual({
        lost: [],
        shownTwice: [],
        neverAdded: [],
      });
      expect(browser.handedAfterAck, `seed ${seed}: handed out after being acknowledged`).toEqual(
        [],
      );
      expect(
        browser.handedUnderAnotherLease(),
        `seed ${seed}: handed to a tab while another's lease ran`,
      ).toEqual([]);
      expect(scriptRoundTrips(ran), `seed ${seed}`).toBe(browser.expectedScripts);
      expect(ran.eval).toBeUndefined();
      expect(drained, `seed ${seed}: messages were left after 20 drain rounds`).toBe(true);
      expect(await (await admin()).exists(key, `${key}:leases`)).toBe(0);
      // Handed to the closing tab only, as it saved it, and never acknowledged: the open tabs
      // were handed it once its lease had ended.
      const handedTo = browser.tabsHanded(lastSavedByClosing);
      expect(handedTo).toContain(closing);
      expect(handedTo.some((tab) => tab !== closing)).toBe(true);
    });
  },
);

// Last: these freeze, kill and restart the server, which comes back empty.
describe.skipIf(!redis)('when Redis stops answering, or goes down and comes back', () => {
  /** Restarts Redis and waits until every client (apps', subscribers aside) is connected again. */
  async function restartRedis(): Promise<void> {
    await redis?.restart();
    await vi.waitFor(
      () => expect(clients.filter((client) => client.status !== 'ready')).toEqual([]),
      { timeout: 5000, interval: 20 },
    );
  }

  /** What the apps reported since the last call, by path; the errors must be Errors. */
  function drainReports(): (string | undefined)[] {
    const drained = reported.splice(0);
    for (const { error } of drained) expect(error).toBeInstanceOf(Error);
    return drained.map(({ path }) => path);
  }

  it('answers an add 200 once commandTimeoutMs has passed when Redis does not answer, and reports the timeout', async () => {
    const a = await instance({ store: { commandTimeoutMs: 300 } });
    const { jar } = createBrowser(a.url);
    expect(await consumeTexts(a, jar)).toEqual([]);

    // Frozen, not down: the connection stays open, so the command is sent and waits for a reply.
    redis?.pause();
    let took = 0;
    try {
      const started = Date.now();
      expect(await call(a, jar, 'add', { text: 'Saved while Redis is frozen.' })).toEqual({
        status: 200,
        data: 'Saved while Redis is frozen.',
      });
      took = Date.now() - started;
      expect(await call(a, jar, 'ping')).toEqual({ status: 200, data: 'pong' });
    } finally {
      redis?.resume();
    }
    // Not before its time (how long after it a loaded machine answers is not the kit's).
    expect(took).toBeGreaterThanOrEqual(290);
    const [report] = reported.splice(0);
    expect(report?.path).toBe('add');
    expect(report?.error).toEqual(
      new Error(
        'trpc-messages: Redis did not answer within 300ms; check that it is up and reachable, or raise commandTimeoutMs',
      ),
    );
    // Redis cannot be told to drop a command it was sent: the append ran once Redis woke up, so
    // the message reported as not stored is delivered after all (late, not lost).
    expect(await consumeTexts(a, jar)).toEqual(['Saved while Redis is frozen.']);
  });

  it('removes nothing with a consume that timed out while Redis was frozen and ran once it woke: the message comes, once, with a later consume after that take’s lease', async () => {
    const a = await instance({ store: { commandTimeoutMs: 300, takeLeaseMs: 300 } });
    const { jar } = createBrowser(a.url);
    expect(await call(a, jar, 'add', { text: 'Saved before the freeze.' })).toEqual({
      status: 200,
      data: 'Saved before the freeze.',
    });
    const leases = `${redisKey({ sessionId: sessionIdOf(jar) })}:leases`;

    redis?.pause();
    try {
      // A client without the kit's header: its consume takes. The app gives up on Redis.
      expect(await call(a, jar, 'messages.consume')).toMatchObject({
        status: 200,
        data: { messages: [] },
      });
    } finally {
      redis?.resume();
    }
    expect(reported.splice(0).map(({ path }) => path)).toEqual(['messages.consume']);
    // Redis ran the take as it woke up: the message is leased to that take, which nobody will
    // acknowledge, not removed.
    await vi.waitFor(
      async () =>
        expect(await (await admin()).hvals(leases)).toEqual([expect.stringMatching(/^take:/)]),
      { timeout: 5000, interval: 20 },
    );
    // Consumed again as the kit's Toaster would: once that lease ends, the message comes.
    let shown: string[] = [];
    await vi.waitFor(
      async () => {
        shown = await consumeTexts(a, jar);
        expect(shown).not.toEqual([]);
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(shown).toEqual(['Saved before the freeze.']);
    expect(await consumeTexts(a, jar)).toEqual([]);
  });

  it('reports a lost connection to onError once as it starts and once as it ends, with no path, however many requests fail and reconnects are tried meanwhile', async () => {
    const client = await connect();
    let attempts = 0;
    client.on('reconnecting', () => void attempts++);
    const a = await instance({ client });
    const { jar } = createBrowser(a.url);
    expect(await consumeTexts(a, jar)).toEqual([]);

    await redis?.kill();
    try {
      await vi.waitFor(() => expect(attempts).toBeGreaterThanOrEqual(3), {
        timeout: 5000,
        interval: 20,
      });
      for (const text of ['One.', 'Two.', 'Three.']) {
        expect(await call(a, jar, 'add', { text })).toEqual({ status: 200, data: text });
      }
      // Each failed call is reported with its path; the outage, once.
      expect(drainReports()).toEqual(['add', 'add', 'add']);
      expect(outages).toEqual([expect.objectContaining({ ms: undefined })]);
      expect(String(outages[0])).toMatch(
        /^RedisOutageError: trpc-messages: lost the connection to Redis/,
      );
    } finally {
      await restartRedis();
    }
    await vi.waitFor(() => expect(outages).toHaveLength(2), { timeout: 5000, interval: 20 });
    const [, ended] = outages;
    expect(ended?.connectionErrors).toBeGreaterThanOrEqual(2);
    expect(String(ended)).toMatch(
      /^RedisOutageError: trpc-messages: Redis was unreachable for \d+\.\d s \(\d+ connection errors\); it answers again$/,
    );
    expect(await call(a, jar, 'add', { text: 'Saved once Redis is back.' })).toEqual({
      status: 200,
      data: 'Saved once Redis is back.',
    });
    expect(await consumeTexts(a, jar)).toEqual(['Saved once Redis is back.']);
    expect(outages).toHaveLength(2);
  });

  it('with serverStorage: answers every call 200 (an add with its data, a consume with nothing), reports the failures, and uses Redis again once it is back', async () => {
    // A timeout no request could wait out within the test: answering at all is failing fast
    // (the clients fail at once, with no offline queue).
    const [a, b] = await twoInstancesOf({ store: { commandTimeoutMs: 600_000 } });
    const { jar } = createBrowser(a.url);
    expect(await consumeTexts(a, jar)).toEqual([]);

    await redis?.kill();
    try {
      expect(await call(a, jar, 'add', { text: 'Saved while Redis is down.' })).toEqual({
        status: 200,
        data: 'Saved while Redis is down.',
      });
      expect(await call(b, jar, 'messages.consume')).toMatchObject({
        status: 200,
        data: { messages: [] },
      });
      expect(await call(a, jar, 'ping')).toEqual({ status: 200, data: 'pong' });
      expect(drainReports()).toEqual(['add', 'messages.consume']);
    } finally {
      await restartRedis();
    }

    // The same app instances, with no restart of their own.
    expect(await call(a, jar, 'add', { text: 'Saved once Redis is back.' })).toEqual({
      status: 200,
      data: 'Saved once Redis is back.',
    });
    expect(await (await admin()).llen(redisKey({ sessionId: sessionIdOf(jar) }))).toBe(1);
    expect(await consumeTexts(b, jar)).toEqual(['Saved once Redis is back.']);
    expect(await consumeTexts(a, jar)).toEqual([]);
  });

  /** docs/redis.md's fail-fast settings for each client library. */
  const failFast = {
    ioredis: {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (times: number) => Math.min(times * 50, 500),
    },
    'node-redis': {
      disableOfflineQueue: true,
      socket: { reconnectStrategy: (retries: number) => Math.min(retries * 50, 500) },
    },
  } as const;

  /**
   * A client of `library` with docs/redis.md's fail-fast settings, ready, and its events: `lost`
   * resolves once it noticed the connection is gone, `ready()` once it is connected again.
   */
  async function failFastClient(library: Library) {
    if (!redis) throw new Error('no redis-server');
    const events = new EventEmitter();
    if (library === 'ioredis') {
      const client = new Redis({ host: '127.0.0.1', port: redis.port, ...failFast.ioredis });
      client.on('error', () => {});
      client.on('close', () => events.emit('lost'));
      client.on('ready', () => events.emit('ready'));
      closers.push(() => client.disconnect());
      await once(client, 'ready');
      return { client, events };
    }
    const client = createClient({ url: redis.url, ...failFast['node-redis'] });
    client.on('error', () => {});
    client.on('reconnecting', () => events.emit('lost'));
    client.on('ready', () => events.emit('ready'));
    closers.push(() => client.destroy());
    await client.connect();
    return { client, events };
  }

  it.each(libraries)(
    'with docs/redis.md’s fail-fast settings for %s: answers a request while Redis is down without waiting for commandTimeoutMs, reports the client’s own error with its path, and stores again once Redis is back',
    async (library) => {
      const { client, events } = await failFastClient(library);
      // A timeout no request could wait out within the test: answering at all is failing fast.
      const a = await instance({ client, store: { commandTimeoutMs: 600_000 } });
      const { jar } = createBrowser(a.url);
      expect(await consumeTexts(a, jar)).toEqual([]);

      const lost = once(events, 'lost');
      await redis?.kill();
      try {
        await lost;
        expect(await call(a, jar, 'add', { text: 'Saved while Redis is down.' })).toEqual({
          status: 200,
          data: 'Saved while Redis is down.',
        });
        const [report, ...more] = reported.splice(0);
        expect(more).toEqual([]);
        expect(report?.path).toBe('add');
        expect(report?.error).toBeInstanceOf(Error);
        expect(String(report?.error)).not.toContain('did not answer');
      } finally {
        const ready = once(events, 'ready');
        await redis?.restart();
        // Reconnected by the client itself, within its capped back-off.
        await ready;
      }
      expect(await call(a, jar, 'add', { text: 'Saved once Redis is back.' })).toEqual({
        status: 200,
        data: 'Saved once Redis is back.',
      });
      expect(await consumeTexts(a, jar)).toEqual(['Saved once Redis is back.']);
    },
  );

  it("with fallbackStorage: keeps the cookie's own messages through an outage, then as many newer ones as fit after them, and reports the rest dropped (3 held before, 20 added during)", async () => {
    const [a, b] = await twoInstancesOf({ storage: 'fallback' });
    const { jar } = createBrowser(a.url);
    const before = ['Held 1.', 'Held 2.', 'Held 3.'];
    for (const text of before) {
      expect(await call(a, jar, 'add', { text })).toEqual({ status: 200, data: text });
    }
    // All three in the cookie: the browser has no session, the store was never used.
    expect(jar.get(SESSION_COOKIE)).toBeUndefined();

    await redis?.kill();
    try {
      // Random, so that they do not compress: twenty of them are twice the cookie's budget.
      const during = Array.from(
        { length: 20 },
        (_, i) => `During ${i}: ${randomBytes(150).toString('base64')}`,
      );
      for (const text of during) {
        expect(await call(a, jar, 'add', { text })).toEqual({ status: 200, data: text });
      }
      const shown = await consumeTexts(b, jar);
      const kept = shown.slice(before.length);
      expect(shown.slice(0, before.length)).toEqual(before);
      // The oldest of the newer ones, in order: what did not fit is the newest.
      expect(kept).toEqual(during.slice(0, kept.length));
      expect(kept.length).toBeGreaterThan(0);
      expect(kept.length).toBeLessThan(during.length);
      const reports = reported.splice(0);
      const dropped = reports.flatMap(({ error }) =>
        error instanceof MessagesDroppedError ? error.messages.map((m) => m.message) : [],
      );
      expect(dropped).toEqual(during.slice(kept.length));
      // Every other report is the store's failure, each with the path of the call it hit.
      for (const { error, path } of reports) {
        if (error instanceof MessagesDroppedError) continue;
        expect(error).toBeInstanceOf(Error);
        expect(path).toMatch(/^(add|messages\.consume)$/);
      }
    } finally {
      await restartRedis();
    }
  });

  it('with fallbackStorage: keeps in the cookie a message meant for Redis, delivers it while Redis is still down, and uses Redis again once it is back', async () => {
    const [a, b] = await twoInstancesOf({ storage: 'fallback' });
    const { jar } = createBrowser(a.url);
    // Too large for the cookie (random, so it does not compress): it goes to Redis, and the
    // cookie notes that it overflowed, so that newer messages follow it there, in order.
    const large = () => randomBytes(1800).toString('base64');
    const overflowing = large();
    expect(await call(a, jar, 'add', { text: overflowing })).toEqual({
      status: 200,
      data: overflowing,
    });
    const key = redisKey({ sessionId: sessionIdOf(jar) });
    expect(await (await admin()).llen(key)).toBe(1);

    await redis?.kill();
    try {
      // Meant for Redis, after the overflow; kept in the cookie instead.
      expect(await call(a, jar, 'add', { text: 'Saved while Redis is down.' })).toEqual({
        status: 200,
        data: 'Saved while Redis is down.',
      });
      expect(jar.get(MESSAGES_COOKIE)).toBeDefined();
      // The store's read fails and is reported; the cookie's message is delivered all the same.
      expect(await consumeTexts(b, jar)).toEqual(['Saved while Redis is down.']);
      expect(jar.get(MESSAGES_COOKIE)).toBeUndefined();
      expect(await consumeTexts(a, jar)).toEqual([]);
      // The add's failed append and both consumes' failed reads, each with its call's path.
      expect(drainReports()).toEqual(['add', 'messages.consume', 'messages.consume']);
    } finally {
      await restartRedis();
    }

    // The same app instances, with no restart of their own; Redis came back empty.
    const afterRestart = large();
    expect(await call(a, jar, 'add', { text: afterRestart })).toEqual({
      status: 200,
      data: afterRestart,
    });
    expect(await (await admin()).llen(key)).toBe(1);
    expect(await consumeTexts(b, jar)).toEqual([afterRestart]);
    expect(await consumeTexts(a, jar)).toEqual([]);
  });
});
