import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, describe, it } from 'vitest';
import { MapStore } from '../../../docs/examples/map-store.js';
import type { MessageStore } from '../../../server/storage/message-store.js';
import { MemoryStore } from '../../../server/stores/memory/memory-store.js';
import { RedisStore, type RedisStoreClient } from '../../../server/stores/redis/redis-store.js';
import { messageStoreContract } from '../../../server/testing/message-store-contract.js';
import { startRedisServer } from '../../fixtures/redis-server.js';

// Every built-in store, and the docs' example of a store of one's own, pass the contract that
// trpc-messages/testing exports for any store.

const server = await startRedisServer();
const closing: (() => unknown)[] = [];
afterAll(async () => {
  for (const close of closing.reverse()) await close();
  await server?.stop();
});

/** A RedisStore over a client of the test's redis-server, closed after the file. */
function redisStore(client: RedisStoreClient, maxMessagesPerKey: number): RedisStore {
  const store = new RedisStore({ client, maxMessagesPerKey });
  closing.push(() => store.close());
  return store;
}

const stores: {
  name: string;
  make: (limits: { maxMessagesPerKey: number }) => MessageStore;
  skip: boolean;
}[] = [
  { name: 'MemoryStore', make: (limits) => new MemoryStore(limits), skip: false },
  {
    name: 'RedisStore (ioredis)',
    make: ({ maxMessagesPerKey }) => {
      const client = new Redis({ port: server?.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
      closing.push(() => client.disconnect());
      return redisStore(client, maxMessagesPerKey);
    },
    skip: !server,
  },
  {
    name: 'RedisStore (node-redis)',
    make: ({ maxMessagesPerKey }) => {
      const client = createClient({ url: server?.url });
      client.connect().catch(() => {});
      closing.push(() => client.destroy());
      return redisStore(client, maxMessagesPerKey);
    },
    skip: !server,
  },
  { name: 'the docs’ MapStore', make: (limits) => new MapStore(limits), skip: false },
];

describe.each(stores)('$name passes the store contract', ({ make, skip }) => {
  describe.skipIf(skip)('', () => {
    for (const check of messageStoreContract({ make })) it(check.name, check.run);
  });
});
