import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Recipient } from '../../../server/storage/backend.js';
import { fallbackStorage } from '../../../server/storage/fallback-storage.js';
import { RedisStore, type RedisStoreOptions } from '../../../server/storage/redis-store.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { INFO } from '../../../shared/levels.js';
import type { Message } from '../../../shared/message.js';
import type { CookieJar } from '../../fixtures/cookie-jar.js';
import { closeLiveStreams, LiveStream } from '../../fixtures/live-stream.js';
import {
  type CommandCounts,
  commandCounts,
  commandsBetween,
  scriptRoundTrips,
} from '../../fixtures/redis-commands.js';
import { startRedisServer } from '../../fixtures/redis-server.js';
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

let adminClient: Redis | undefined;
/** A client for looking at Redis behind the stores' backs. */
async function admin(): Promise<Redis> {
  adminClient ??= await connect();
  return adminClient;
}

/** What the apps reported through onError, with where; a test that expects reports drains it. */
const reported: { error: unknown; path: string | undefined }[] = [];
const running: RunningApp[] = [];
const stores: RedisStore[] = [];
afterEach(async () => {
  // Streams first: one whose server went away would reconnect.
  closeLiveStreams();
  await Promise.all(running.splice(0).map((app) => app.close()));
  await Promise.all(stores.splice(0).map((store) => store.close()));
  expect(reported.splice(0)).toEqual([]);
});

/** How an app instance keeps its messages in Redis. */
interface InstanceOptions {
  readonly adapter?: Adapter;
  /** serverStorage (the default) or fallbackStorage, over the instance's RedisStore. */
  readonly storage?: 'server' | 'fallback';
  /** Sign requests in by their x-user-id header. */
  readonly users?: boolean;
  readonly store?: Partial<RedisStoreOptions>;
}

/**
 * One instance of the app: its own ioredis client and RedisStore, the secret every instance
 * shares, served on a port of its own; closed after the test.
 */
async function instance(options: InstanceOptions = {}): Promise<RunningApp> {
  const store = new RedisStore({
    client: await connect(),
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
    onError: (error, { path }) => reported.push({ error, path }),
  });
  running.push(app);
  return app;
}

/** Two instances of the app on the one Redis, behind different adapters. */
const twoInstances = (options: Omit<InstanceOptions, 'adapter'> = {}) =>
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

/** The id the session cookie in `jar` carries (the cookie is `<id>.<signature>`). */
function sessionIdOf(jar: CookieJar): string {
  const cookie = jar.get(SESSION_COOKIE);
  if (cookie === undefined) throw new Error('the browser has no session cookie');
  return cookie.slice(0, cookie.lastIndexOf('.'));
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

describe.skipIf(!redis)('two app instances on one Redis', () => {
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
    // A high cap, so that no message is trimmed however the requests happen to interleave.
    const [a, b] = await twoInstances({ store: { maxMessagesPerKey: 1000 } });
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

  it('signals, on instance A, a job’s message sent through instance B, within a second; the consume on A returns it once', async ({
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
    // RedisStore tells its listeners once a subscription is live (an append made before it
    // would have gone unheard), so the stream may get a signal now with nothing waiting.
    await sleep(100);
    const signalsBefore = stream.signals.length;

    const sentAt = performance.now();
    await b.messages.to(recipient).info('Your export is ready.');
    await stream.signalled(signalsBefore + 1);

    const after = (stream.signals[signalsBefore]?.at ?? Number.NaN) - sentAt;
    await annotate(`signal on A ${after.toFixed(1)} ms after the send through B`);
    expect(after).toBeLessThan(1000);
    expect((await browser.client.messages.consume.query()).messages).toEqual([
      expect.objectContaining({ level: INFO, message: 'Your export is ready.' }),
    ]);
    expect(texts(await browser.client.messages.consume.query())).toEqual([]);
    expect(stream.errors).toEqual([]);
  });
});

describe.skipIf(!redis)('Redis round trips per request (INFO commandstats)', () => {
  // Redis counts a script's own commands too: an EVALSHA (or EVAL) is the one round trip, the
  // rest ran inside it.

  it('costs an add one EVALSHA, a consume one, and a request that touches no message none', async ({
    annotate,
  }) => {
    const a = await instance();
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
    expect(add).toEqual({ evalsha: 1, rpush: 1, expire: 1, publish: 1 });
    expect(consumeOne).toEqual({ evalsha: 1, lrange: 1, del: 1 });
    expect(consumeNone).toEqual({ evalsha: 1, lrange: 1 });
    expect(ping).toEqual({});
  });

  it("reads two keys for a signed-in user with a session cookie: the session's and the user's, two EVALSHAs sent together", async () => {
    const [a, b] = await twoInstances({ users: true });
    const visitor = createBrowser(a.url);
    await visitor.client.add.mutate({ text: 'Added as a visitor.' });
    await b.messages.to({ userId: '7' }).info('For user 7.');
    // The same browser, signed in: its requests carry the user id and still the session cookie.
    const signedIn = createBrowser(b.url, 'httpBatchLink', { userId: '7', jar: visitor.jar });

    let consumedTexts: string[] = [];
    const consume = await commandsDuring(async () => {
      consumedTexts = texts(await signedIn.client.messages.consume.query());
    });

    // Two keys in two Redis Cluster slots, so two scripts; Promise.all sends them at once.
    expect(consume).toEqual({ evalsha: 2, lrange: 2, del: 2 });
    expect(consumedTexts).toEqual(['Added as a visitor.', 'For user 7.']);
  });

  it("sends a script's source only when Redis lacks it: EVALSHA refused, then EVAL, then EVALSHA alone", async () => {
    const a = await instance();
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
});

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
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1000);
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

  it('with serverStorage: answers every call 200 (an add with its data, a consume with nothing), reports the failures, and uses Redis again once it is back', async () => {
    const [a, b] = await twoInstances();
    const { jar } = createBrowser(a.url);
    expect(await consumeTexts(a, jar)).toEqual([]);

    await redis?.kill();
    try {
      const started = Date.now();
      expect(await call(a, jar, 'add', { text: 'Saved while Redis is down.' })).toEqual({
        status: 200,
        data: 'Saved while Redis is down.',
      });
      expect(await call(b, jar, 'messages.consume')).toMatchObject({
        status: 200,
        data: { messages: [] },
      });
      expect(await call(a, jar, 'ping')).toEqual({ status: 200, data: 'pong' });
      // Fast: the clients fail at once without an offline queue (commandTimeoutMs is 500).
      expect(Date.now() - started).toBeLessThan(500);
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

  it('with fallbackStorage: keeps in the cookie a message meant for Redis, delivers it while Redis is still down, and uses Redis again once it is back', async () => {
    const [a, b] = await twoInstances({ storage: 'fallback' });
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
      // The add's failed append and both consumes' failed reads (without a procedure's path).
      expect(drainReports()).toHaveLength(3);
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
