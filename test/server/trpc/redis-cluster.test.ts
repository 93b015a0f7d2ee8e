import { Cluster, type Redis } from 'ioredis';
import { createCluster } from 'redis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { Recipient } from '../../../server/storage/backend.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { RedisStore, type RedisStoreClient } from '../../../server/stores/redis/redis-store.js';
import { INFO } from '../../../shared/levels.js';
import { closeLiveStreams, LiveStream } from '../../fixtures/live-stream.js';
import { type ClusterNode, startRedisCluster } from '../../fixtures/redis-cluster.js';
import { commandCounts, commandsBetween } from '../../fixtures/redis-commands.js';
import { SESSION_COOKIE, sessionIdOf } from '../../fixtures/session-cookie.js';
import { createTab } from '../../fixtures/tab-client.js';
import { texts } from '../../fixtures/texts.js';
import { createBrowser } from '../../fixtures/trpc-client.js';
import { type RunningApp, startApp } from '../../fixtures/trpc-server.js';
import { failOnUnhandledRejections } from '../../fixtures/unhandled-rejections.js';

failOnUnhandledRejections();

// A 3-master Redis Cluster of this file's own, on free loopback ports, started once.
const cluster = await startRedisCluster({ masters: 3 });
afterAll(() => cluster?.stop());

const secret = 'redis-cluster-test-secret-0123456789';

/** A cluster client of each library, connected, as an app instance would make its own. */
const clientsOf = {
  ioredis: async (): Promise<{ client: RedisStoreClient; close: () => Promise<unknown> }> => {
    const client = new Cluster(
      (cluster?.nodes ?? []).map(({ port }) => ({ host: '127.0.0.1', port })),
      { redisOptions: { maxRetriesPerRequest: 1 } },
    );
    client.on('error', () => {});
    await new Promise((resolve) => client.once('ready', resolve));
    return { client, close: () => client.quit() };
  },
  'node-redis': async (): Promise<{ client: RedisStoreClient; close: () => Promise<unknown> }> => {
    const client = createCluster({
      rootNodes: (cluster?.nodes ?? []).map(({ port }) => ({ url: `redis://127.0.0.1:${port}` })),
    });
    client.on('error', () => {});
    await client.connect();
    return { client, close: () => client.close() };
  },
};

const closing: (() => Promise<unknown>)[] = [];
const reported: unknown[] = [];
afterEach(async () => {
  closeLiveStreams();
  for (const close of closing.splice(0).reverse()) await close();
  expect(reported.splice(0)).toEqual([]);
  // Each test starts from empty nodes, whatever the one before left.
  await Promise.all((cluster?.nodes ?? []).map(({ admin }) => admin.flushall()));
});

/** One app instance over a RedisStore on its own cluster client of `library`. */
async function instance(library: keyof typeof clientsOf): Promise<RunningApp> {
  const { client, close } = await clientsOf[library]();
  closing.push(close);
  const store = new RedisStore({ client, commandTimeoutMs: 2000 });
  closing.push(() => store.close());
  const app = await startApp('standalone', {
    storage: serverStorage({ secret, store }),
    onError: (error) => reported.push(error),
  });
  closing.push(() => app.close());
  return app;
}

const redisKey = (recipient: Recipient) =>
  'userId' in recipient
    ? `trpc-messages:{user:${recipient.userId}}`
    : `trpc-messages:{session:${recipient.sessionId}}`;

/** The node that holds `key`'s slot. */
function nodeOf(key: string): Promise<ClusterNode> {
  if (!cluster) throw new Error('no cluster');
  return cluster.nodeOf(key);
}

/** Every key a node holds. */
const keysOn = async (node: ClusterNode) => (await node.admin.keys('*')).sort();

/** The commands each node ran while `work` did (INFO commandstats on each). */
async function commandsPerNode(work: () => Promise<unknown>) {
  const nodes = cluster?.nodes ?? [];
  const before = await Promise.all(nodes.map(({ admin }) => commandCounts(admin)));
  await work();
  return Promise.all(
    nodes.map(async ({ admin }, i) => commandsBetween(before[i] ?? {}, await commandCounts(admin))),
  );
}

/** Each node's count of subscribers to a shard channel (PUBSUB SHARDNUMSUB). */
const shardSubscribers = (channel: string) =>
  Promise.all(
    (cluster?.nodes ?? []).map(async ({ admin }: { admin: Redis }) => {
      const [, count] = (await admin.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number];
      return count;
    }),
  );

describe.skipIf(!cluster).each(['ioredis', 'node-redis'] as const)(
  'a 3-master Redis Cluster through %s',
  (library) => {
    it('keeps each browser’s list and leases on the one node that holds its hash tag’s slot, spread over all three', async () => {
      const [a, b] = [await instance(library), await instance(library)];
      // Thirty random sessions miss a node with odds of 3 * (2/3)^30, about 1 in 60,000.
      const browsers = Array.from({ length: 30 }, (_, i) => createTab((i % 2 ? a : b).url));
      const keys: string[] = [];
      for (const [i, tab] of browsers.entries()) {
        // Added inline: the message is leased to the tab, so the leases hash is written too.
        expect(await tab.client.add.mutate({ text: `Saved by browser ${i}.` })).toBe(
          `Saved by browser ${i}.`,
        );
        const key = redisKey(await tab.client.recipient.query());
        keys.push(key, `${key}:leases`);
      }
      const expected = new Map<ClusterNode, string[]>();
      for (const key of keys) {
        const node = await nodeOf(key);
        expected.set(node, [...(expected.get(node) ?? []), key]);
      }
      expect([...expected.keys()]).toHaveLength(3);
      for (const node of cluster?.nodes ?? []) {
        expect(await keysOn(node)).toEqual((expected.get(node) ?? []).sort());
      }
      for (const tab of browsers) tab.acknowledge(tab.inlined);
      for (const tab of browsers) await tab.client.ping.query();
      for (const node of cluster?.nodes ?? []) expect(await keysOn(node)).toEqual([]);
    });

    it('delivers a message added on instance A by a consume on instance B, once, and acknowledged it is gone from its node', async () => {
      const [a, b] = [await instance(library), await instance(library)];
      for (let i = 0; i < 6; i++) {
        // A request without the kit's link adds a message free for any tab of the browser.
        const onA = createBrowser(a.url);
        const onB = createTab(b.url, { jar: onA.jar, inline: undefined });
        const otherTab = createTab(a.url, { jar: onA.jar, inline: undefined });
        expect(await onA.client.add.mutate({ text: `Saved on A (${i}).` })).toBe(
          `Saved on A (${i}).`,
        );
        const key = redisKey(await onA.client.recipient.query());
        const node = await nodeOf(key);
        expect(await node.admin.llen(key)).toBe(1);

        const { messages } = await onB.client.messages.consume.query();
        expect(messages).toEqual([expect.objectContaining({ message: `Saved on A (${i}).` })]);
        // Leased to B's tab: no other tab gets it meanwhile.
        expect((await otherTab.client.messages.consume.query()).messages).toEqual([]);
        onB.acknowledge(messages);
        expect((await onB.client.messages.consume.query()).messages).toEqual([]);
        expect(await node.admin.exists(key, `${key}:leases`)).toBe(0);
      }
    });

    it('rotates a session onto another node: the old key retired on its node, what it held and what a request in flight adds moved to the new one, a copy of the old cookie reading nothing', async () => {
      const [a, b] = [await instance(library), await instance(library)];
      const attacker = createBrowser(a.url);
      await attacker.client.messages.consume.query();
      const planted = attacker.jar.get(SESSION_COOKIE) ?? '';
      const victim = createBrowser(b.url);
      victim.jar.set(SESSION_COOKIE, planted);
      await victim.client.add.mutate({ text: 'Before the rotation.' });
      const oldKey = redisKey({ sessionId: sessionIdOf(planted) });
      // Rotate until the new session hashes to another node (two in three do).
      let newKey = oldKey;
      for (let tries = 0; (await nodeOf(newKey)) === (await nodeOf(oldKey)); tries++) {
        if (tries === 20) throw new Error('twenty sessions in a row hashed to one node');
        await victim.client.rotate.mutate();
        newKey = redisKey({ sessionId: sessionIdOf(victim.jar.get(SESSION_COOKIE) ?? '') });
      }
      const inFlight = createBrowser(a.url);
      inFlight.jar.set(SESSION_COOKIE, planted);
      await inFlight.client.add.mutate({ text: 'Added in flight.' });

      expect(await (await nodeOf(oldKey)).admin.exists(`${oldKey}:retired`)).toBe(1);
      expect(texts(await attacker.client.messages.consume.query())).toEqual([]);
      expect(texts(await victim.client.messages.consume.query())).toEqual([
        'Before the rotation.',
        'Added in flight.',
      ]);
      expect(await (await nodeOf(oldKey)).admin.exists(oldKey)).toBe(0);
    });

    it('signals live on instance A a job’s message sent through instance B, published on the key’s node alone (SPUBLISH), none of the other nodes hearing of it', async () => {
      const [a, b] = [await instance(library), await instance(library)];
      const browser = createBrowser(a.url);
      const recipient = await browser.client.recipient.query();
      const key = redisKey(recipient);
      const owner = await nodeOf(key);
      const ownerIndex = cluster?.nodes.indexOf(owner) ?? -1;
      const stream = new LiveStream(browser.client);
      await stream.started;
      // Instance A's sharded subscriber is on the key's node only.
      await vi.waitFor(async () => {
        expect(await shardSubscribers(key)).toEqual(
          cluster?.nodes.map((node) => (node === owner ? 1 : 0)),
        );
      });
      const signalsBefore = stream.signals.length;

      const ran = await commandsPerNode(async () => {
        await b.messages.to(recipient).info('Your export is ready.');
        await stream.signalled(signalsBefore + 1);
      });

      expect(ran.map((commands) => commands.spublish ?? 0)).toEqual(
        ran.map((_, i) => (i === ownerIndex ? 1 : 0)),
      );
      expect(ran.map((commands) => commands.publish ?? 0)).toEqual([0, 0, 0]);
      expect(ran.map((commands) => commands.evalsha ?? 0)).toEqual(
        ran.map((_, i) => (i === ownerIndex ? 1 : 0)),
      );
      expect((await browser.client.messages.consume.query()).messages).toEqual([
        expect.objectContaining({ level: INFO, message: 'Your export is ready.' }),
      ]);
      expect(stream.errors).toEqual([]);
    });
  },
);
