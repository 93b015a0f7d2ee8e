import {
  cookieStorage,
  fallbackStorage,
  type MessageStorage,
  type Secret,
  serverStorage,
} from 'trpc-messages/server';

/** The storages every runtime can keep messages in (Redis needs TCP: see redis-storage.ts). */
export const portableStorages = ['memory', 'cookie', 'fallback'] as const;

/** A storage the app can run with. */
export type StorageName = (typeof portableStorages)[number] | 'redis';

/**
 * The storage `name`, as docs/storages.md sets each up: `secret` left out reads MESSAGES_SECRET
 * from the environment, as a Node, Bun or Deno app leaves it to.
 */
export function portableStorage(
  name: (typeof portableStorages)[number],
  secret: Secret | undefined,
): MessageStorage {
  const options = secret === undefined ? {} : { secret };
  if (name === 'cookie') return cookieStorage(options);
  if (name === 'fallback') return fallbackStorage(options);
  return serverStorage(options); // the embedded default: a memory store
}

const storageNames: readonly StorageName[] = [...portableStorages, 'redis'];

/** The storage a launcher was asked for (its MESSAGES_STORAGE), checked. */
export function storageName(value: string | undefined): StorageName {
  const name = storageNames.find((known) => known === value);
  if (name) return name;
  throw new Error(
    `runtime app: MESSAGES_STORAGE must be one of ${storageNames.join(', ')}, got '${value}'`,
  );
}
