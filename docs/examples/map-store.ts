// A message store of your own, in one short file: the delivery rule (`applyChange`) decides what
// each step does, so a store is only where a key's messages and leases live. This one keeps them
// in a Map (one process, as MemoryStore, without its bounds); a store over your database would
// read the key's row, apply the change and write the row back in one transaction, locking it.
// It passes the exported contract: test/server/testing/message-store-contract.test.ts.

import type { StoredMessage } from 'trpc-messages';
import {
  applyChange,
  type DropEvent,
  type HeldLease,
  KEY_RETIRED,
  type MessageStore,
  RetiredKeyError,
  type Retirement,
  type StoreChange,
} from 'trpc-messages/server';

interface Key {
  messages: readonly StoredMessage[];
  leases: ReadonlyMap<string, HeldLease> | undefined;
}

export class MapStore implements MessageStore {
  readonly #keys = new Map<string, Key>();
  readonly #retired = new Map<string, { successor: string; forwardUntil: number; until: number }>();
  readonly #used = new Map<string, number>();
  readonly #watchers = new Map<string, Set<(heldBy: string | undefined) => void>>();
  readonly #drops = new Set<(event: DropEvent) => void>();
  readonly #maxMessagesPerKey: number;

  constructor({ maxMessagesPerKey = 50 }: { maxMessagesPerKey?: number } = {}) {
    this.#maxMessagesPerKey = maxMessagesPerKey;
  }

  async peek(key: string): Promise<StoredMessage[]> {
    return [...(this.#keys.get(key)?.messages ?? [])];
  }

  async commit(key: string, change: StoreChange): Promise<StoredMessage[]> {
    const now = Date.now();
    const retired = this.#retired.get(key);
    if (retired && retired.until > now) {
      throw new RetiredKeyError(key, retired.forwardUntil > now ? retired.successor : undefined);
    }
    const step = applyChange(
      this.#keys.get(key) ?? { messages: [] },
      change,
      now,
      this.#maxMessagesPerKey,
    );
    if (step.messages.length > 0) this.#keys.set(key, step);
    else this.#keys.delete(key);
    if (step.trimmed.length > 0) {
      for (const drop of this.#drops) drop({ key, messages: step.trimmed, reason: 'overflow' });
    }
    // Messages handed out as they are added are on their way already: no news to watchers.
    if ((change.added?.length ?? 0) > 0 && (change.handOut ?? 'none') === 'none') {
      this.#tell(key, change.lease?.holder);
    }
    return step.handedOut;
  }

  async retire(key: string, successor: string, retirement: Retirement): Promise<StoredMessage[]> {
    const now = Date.now();
    if ((this.#retired.get(key)?.until ?? 0) > now) return [];
    const messages = [...(this.#keys.get(key)?.messages ?? [])];
    this.#keys.delete(key);
    const forwardUntil = now + retirement.forwardMs;
    this.#retired.set(key, { successor, forwardUntil, until: now + retirement.ttlMs });
    this.#tell(key, KEY_RETIRED);
    return messages;
  }

  async markUsed(id: string, until: number): Promise<boolean> {
    if ((this.#used.get(id) ?? 0) > Date.now()) return false;
    this.#used.set(id, until);
    return true;
  }

  watch(key: string, listener: (heldBy: string | undefined) => void): () => void {
    const registration = (heldBy: string | undefined) => listener(heldBy);
    const watchers = this.#watchers.get(key) ?? new Set();
    this.#watchers.set(key, watchers.add(registration));
    return () => void watchers.delete(registration);
  }

  watchDrops(listener: (event: DropEvent) => void): () => void {
    const registration = (event: DropEvent) => listener(event);
    this.#drops.add(registration);
    return () => void this.#drops.delete(registration);
  }

  #tell(key: string, heldBy: string | undefined): void {
    for (const listener of [...(this.#watchers.get(key) ?? [])]) listener(heldBy);
  }
}
