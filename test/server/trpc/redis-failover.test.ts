import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Cluster } from 'ioredis';
import { createCluster, type RedisClusterType } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MessagesDroppedError } from '../../../server/reports/messages-dropped-error.js';
import type { MessageStore } from '../../../server/storage/message-store.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { RedisOutageError } from '../../../server/stores/redis/redis-outage.js';
import { RedisStore, type RedisStoreClient } from '../../../server/stores/redis/redis-store.js';
import { CookieJar } from '../../fixtures/cookie-jar.js';
import { codeBlockStartingWith } from '../../fixtures/markdown-code.js';
import {
  type ClusterNode,
  type RedisCluster,
  startRedisCluster,
} from '../../fixtures/redis-cluster.js';
import { SESSION_COOKIE, sessionIdOf } from '../../fixtures/session-cookie.js';
import { browserFetch } from '../../fixtures/trpc-client.js';
import { type RunningApp, startApp } from '../../fixtures/trpc-server.js';
import { failOnUnhandledRejections } from '../../fixtures/unhandled-rejections.js';

// A master of a Redis Cluster with replicas SIGKILLed under load, through each client library set
// up as docs/redis.md says: no request fails, and no message is lost without onError being told.

failOnUnhandledRejections();

const secret = 'redis-failover-test-secret-0123456789';
const libraries = ['ioredis', 'node-redis'] as const;
type Library = (typeof libraries)[number];

/** docs/redis.md's cluster client for `library` (its fail-fast snippet), as the page shows it. */
function docClusterSnippet(library: Library): string {
  const page = fileURLToPath(new URL('../../../docs/redis.md', import.meta.url));
  const firstLine = library === 'ioredis' ? '// ioredis Cluster' : '// node-redis createCluster';
  return codeBlockStartingWith(page, firstLine).code;
}

// The snippet is a function body over the names it uses: the libraries' constructors, `once`, and
// the startup nodes in each library's form.
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  ...names: string[]
) => (...values: unknown[]) => Promise<unknown>;

/** A cluster client of `library`, made and connected by docs/redis.md's snippet, and its close. */
async function docClusterClient(
  library: Library,
  masters: readonly ClusterNode[],
): Promise<{ client: RedisStoreClient; close: () => void }> {
  const run = new AsyncFunction(
    'Cluster',
    'createCluster',
    'once',
    'nodes',
    'rootNodes',
    `${docClusterSnippet(library)}\nreturn client;`,
  );
  const made = await run(
    Cluster,
    createCluster,
    once,
    masters.map(({ port }) => ({ host: '127.0.0.1', port })),
    masters.map(({ port }) => ({ url: `redis://127.0.0.1:${port}` })),
  );
  if (made instanceof Cluster) return { client: made, close: () => made.disconnect() };
  const cluster = made as RedisClusterType;
  return { client: cluster, close: () => cluster.destroy() };
}

/** A commit the store refused: the texts of the messages it did not store, for onError. */
class NotStored extends Error {
  readonly texts: readonly string[];
  constructor(texts: readonly string[], cause: unknown) {
    super(`${texts.length} message(s) not stored`, { cause });
    this.texts = texts;
  }
}

/**
 * `inner`, but a failed commit rejects with a NotStored that names the messages it added, so the
 * test can tell which messages onError was told of; `stored` hears each key an add was kept for.
 */
function naming(inner: RedisStore, stored: (key: string, sentAt: number) => void): MessageStore {
  return {
    peek: (key) => inner.peek(key),
    async commit(key, change) {
      const texts = (change.added ?? []).map((message) => message.message);
      const sentAt = performance.now();
      try {
        const handedOut = await inner.commit(key, change);
        if (texts.length > 0) stored(key, sentAt);
        return handedOut;
      } catch (error) {
        throw new NotStored(texts, error);
      }
    },
    retire: (key, successor, retirement) => inner.retire(key, successor, retirement),
    markUsed: (id, until) => inner.markUsed(id, until),
    watch: (key, listener) => inner.watch(key, listener),
    watchDrops: (listener, options) => inner.watchDrops(listener, options),
    watchErrors: (listener, options) => inner.watchErrors(listener, options),
  };
}

const result = z.object({ result: z.object({ data: z.unknown() }) });
const consumed = z.object({ messages: z.array(z.object({ message: z.string() })) });

/** One simulated browser: its cookies, what it added (answered 200) and what it was shown. */
class Browser {
  readonly jar = new CookieJar();
  readonly #fetch = browserFetch(this.jar);
  readonly added: string[] = [];
  readonly shown: string[] = [];
  /** Every answer that was not a 200, with what was asked. */
  readonly failed: string[] = [];
  /** The longest a request of this browser took to answer, in ms. */
  slowest = 0;
  #next = 0;

  constructor(readonly name: string) {}

  /** The Redis key of its session. */
  get key(): string {
    return `trpc-messages:{session:${sessionIdOf(this.jar.get(SESSION_COOKIE) ?? '')}}`;
  }

  /** A mutation that flashes a text of its own; true once it answered 200. */
  async add(app: RunningApp): Promise<boolean> {
    const text = `${this.name}: message ${this.#next++}.`;
    const started = performance.now();
    const response = await this.#fetch(`${app.url}/add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });
    await response.json();
    this.slowest = Math.max(this.slowest, performance.now() - started);
    if (response.status !== 200) {
      this.failed.push(`add: ${response.status}`);
      return false;
    }
    this.added.push(text);
    return true;
  }

  /** A consume as a client without the kit's link sends it; returns how many it was shown. */
  async consume(app: RunningApp): Promise<number> {
    const started = performance.now();
    const response = await this.#fetch(`${app.url}/messages.consume`);
    const body: unknown = await response.json();
    this.slowest = Math.max(this.slowest, performance.now() - started);
    if (response.status !== 200) {
      this.failed.push(`consume: ${response.status}`);
      return 0;
    }
    const texts = consumed.parse(result.parse(body).result.data).messages.map((m) => m.message);
    this.shown.push(...texts);
    return texts.length;
  }
}

describe.each(libraries)(
  'a Redis Cluster of 3 masters and 3 replicas through %s set up as docs/redis.md says, one master killed under load',
  (library) => {
    let cluster: RedisCluster | undefined;
    beforeAll(async () => {
      cluster = await startRedisCluster({ masters: 3, replicas: 1 });
    }, 60_000);
    afterAll(() => cluster?.stop());

    const closing: (() => unknown)[] = [];
    afterEach(async () => {
      for (const close of closing.splice(0).reverse()) await close();
    });

    it('answers every request 200, and shows every message whose add answered exactly once unless onError was told it was not stored', async ({
      skip,
    }) => {
      if (!cluster) return skip('no redis-server');
      const masters = cluster.nodes.slice(0, 3);
      const killedAt = { ms: Number.POSITIVE_INFINITY };
      /** When each key was first stored to after the kill. */
      const storedAfterKill = new Map<string, number>();
      const notStored = new Set<string>();
      const outages: RedisOutageError[] = [];
      const otherReports: unknown[] = [];
      const timeouts = { count: 0 };
      const apps: RunningApp[] = [];
      for (let i = 0; i < 2; i++) {
        const { client, close } = await docClusterClient(library, masters);
        closing.push(close);
        // A take lease longer than the failover, so that the removal of what a take received,
        // sent again until it lands, lands in time; shorter than the default, so that what a take
        // that failed but ran holds comes back within the test.
        const store = new RedisStore({ client, takeLeaseMs: 10_000, maxMessagesPerKey: 1000 });
        closing.push(() => store.close());
        // An add sent once the master was gone, and stored.
        const stored = (key: string, sentAt: number) => {
          const list = `trpc-messages:{${key}}`;
          if (sentAt > killedAt.ms && !storedAfterKill.has(list)) {
            storedAfterKill.set(list, performance.now());
          }
        };
        const app = await startApp('standalone', {
          storage: serverStorage({ secret, store: naming(store, stored) }),
          onError: (error) => {
            if (error instanceof NotStored) {
              for (const text of error.texts) notStored.add(text);
              if (String(error.cause).includes('did not answer within')) timeouts.count++;
            } else if (error instanceof MessagesDroppedError) {
              for (const { message } of error.messages) notStored.add(message);
            } else if (error instanceof RedisOutageError) outages.push(error);
            else otherReports.push(error);
          },
        });
        closing.push(() => app.close());
        apps.push(app);
      }
      const browsers = Array.from({ length: 12 }, (_, i) => new Browser(`Browser ${i}`));
      const appOf = (i: number) => apps[i % 2] as RunningApp;
      // Each browser's first add gives it its session, so its key is known.
      for (const [i, browser] of browsers.entries()) {
        expect(await browser.add(appOf(i))).toBe(true);
        await browser.consume(appOf(i + 1));
      }
      const owners = await Promise.all(browsers.map(({ key }) => cluster?.nodeOf(key)));
      // The master that holds the most browsers' keys (12 keys over 3 masters: at least 4).
      const victim = masters.reduce((most, master) =>
        owners.filter((owner) => owner === master).length >
        owners.filter((owner) => owner === most).length
          ? master
          : most,
      );
      const failingOver = browsers.filter((_, i) => owners[i] === victim).map(({ key }) => key);

      // The load: every browser adds then consumes, each on the other instance, without pause.
      let loading = true;
      const load = browsers.map(async (browser, i) => {
        for (let round = 0; loading; round++) {
          await browser.add(appOf(i + round));
          await browser.consume(appOf(i + round + 1));
        }
      });
      // Some load before the kill.
      const warm = (n: number) => browsers.every(({ added }) => added.length >= n);
      while (!warm(4)) await new Promise((resolve) => setTimeout(resolve, 10));

      const killing = performance.now();
      await victim.kill();
      killedAt.ms = performance.now();
      // Healthy again: a replica serves the failed master's slots, and every running node says
      // the cluster is ok.
      let healthyAt: number | undefined;
      const deadline = killing + 30_000;
      while (
        healthyAt === undefined ||
        !failingOver.every((key) => (storedAfterKill.get(key) ?? 0) > (healthyAt ?? 0))
      ) {
        if (performance.now() > deadline) break;
        if (
          healthyAt === undefined &&
          (await cluster.nodeOf(failingOver[0] ?? '')) !== victim &&
          (await cluster.serving())
        ) {
          healthyAt = performance.now();
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      loading = false;
      await Promise.all(load);
      expect(healthyAt, 'the cluster was never healthy again').toBeDefined();
      const firstStored = Math.min(
        ...failingOver.map((key) => storedAfterKill.get(key) ?? Infinity),
      );
      expect(
        failingOver.filter((key) => !storedAfterKill.has(key)),
        'keys of the failed master never stored to again',
      ).toEqual([]);

      // Drain: each browser consumes until its key is gone; what a late take holds comes once
      // its lease ends.
      const draining = performance.now();
      for (const [i, browser] of browsers.entries()) {
        const until = performance.now() + 20_000;
        for (let round = 0; ; round++) {
          if ((await browser.consume(appOf(i + round))) > 0) continue;
          const owner = await cluster.nodeOf(browser.key);
          // A node that has not heard of the promotion yet answers CLUSTERDOWN: look again.
          if ((await owner.admin.exists(browser.key).catch(() => 1)) === 0) break;
          if (performance.now() > until) throw new Error(`${browser.name} was never drained`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }

      const drained = performance.now() - draining;
      const added = browsers.flatMap((browser) => browser.added);
      const shown = browsers.flatMap((browser) => browser.shown);
      const times = new Map<string, number>();
      for (const text of shown) times.set(text, (times.get(text) ?? 0) + 1);
      const lost = added.filter((text) => !times.has(text) && !notStored.has(text));
      const shownTwice = [...times].filter(([, n]) => n > 1).map(([text]) => text);
      const neverAdded = shown.filter((text) => !added.includes(text));
      const lateButShown = [...notStored].filter((text) => times.has(text)).length;
      console.log(
        `${library}: master :${victim.port} (holding ${failingOver.length} of 12 browsers' keys) ` +
          `SIGKILLed under load; cluster healthy again (replica promoted, every node ok) ${((healthyAt ?? 0) - killing).toFixed(0)} ms ` +
          `after the kill; first message stored on its slots ${(firstStored - killing).toFixed(0)} ms ` +
          `after the kill (${(firstStored - (healthyAt ?? 0)).toFixed(0)} ms after it was healthy); ` +
          `${added.length} adds answered 200, ${shown.length} messages shown, ${notStored.size} ` +
          `reported not stored (${lateButShown} of them shown after all), ${lost.length} lost, ` +
          `${shownTwice.length} shown twice; ${browsers.flatMap((b) => b.failed).length} answers not ` +
          `200; slowest request ${Math.max(...browsers.map((b) => b.slowest)).toFixed(0)} ms, ` +
          `${timeouts.count} commands timed out; drained in ${drained.toFixed(0)} ms; outage reports: ${outages.map((o) => (o.ms === undefined ? 'started' : `ended after ${o.ms.toFixed(0)} ms, ${o.connectionErrors} errors`)).join(', ')}`,
      );
      expect(browsers.flatMap((browser) => browser.failed)).toEqual([]);
      expect({ lost, shownTwice, neverAdded }).toEqual({
        lost: [],
        shownTwice: [],
        neverAdded: [],
      });
      // Nothing else went wrong: no removal of taken messages given up, say.
      expect(otherReports).toEqual([]);
      // Each instance's store told of the outage once as it started and once as it ended.
      expect(outages.map(({ ms }) => (ms === undefined ? 'started' : 'ended')).sort()).toEqual([
        'ended',
        'ended',
        'started',
        'started',
      ]);
    }, 120_000);
  },
);
