import { Redis } from 'ioredis';
import { RedisStore, serverStorage } from 'trpc-messages/server';
import { createFetchApp } from './fetch-app.js';
import { portableStorage, storageName } from './storages.js';

/**
 * The app as a server runtime that opens TCP (Node, Bun, Deno) runs it, configured from its
 * environment: MESSAGES_STORAGE picks the storage, REDIS_URL and REDIS_PREFIX the Redis store's
 * server and keys, and MESSAGES_SECRET is left for the library to read.
 */
export function serverApp(env: Readonly<Record<string, string | undefined>>) {
  const name = storageName(env.MESSAGES_STORAGE);
  if (name !== 'redis') return createFetchApp(portableStorage(name, undefined));
  if (!env.REDIS_URL) throw new Error('runtime app: the redis storage needs REDIS_URL');
  const client = new Redis(env.REDIS_URL);
  const store = new RedisStore({ client, prefix: env.REDIS_PREFIX ?? 'trpc-messages:' });
  return createFetchApp(serverStorage({ store }));
}
