import { LRUCache } from 'lru-cache';
import type { StoredMessage } from '../../shared/message.js';
import type { MessageStore } from './message-store.js';

/** Why a memory store let messages go without them being read. */
export type DropReason =
  /** The key had more than `maxMessagesPerKey`: its oldest went. */
  | 'overflow'
  /** More than `maxKeys` keys: the least recently used key went. */
  | 'evicted'
  /** The key was not written for `ttlMs`. */
  | 'expired';

/** Messages a memory store let go unread, and why. */
export interface DropEvent {
  readonly key: string;
  readonly messages: readonly StoredMessage[];
  readonly reason: DropReason;
}

/** Bounds of a memory store. */
export interface MemoryStoreOptions {
  /** The most keys (sessions) held; the least recently used goes first. Default 10,000. */
  readonly maxKeys?: number;
  /** How long a key's messages live after its last append, in ms. Default 1 day. */
  readonly ttlMs?: number;
  /** The most messages held per key; the oldest go first. Default 50. */
  readonly maxMessagesPerKey?: number;
  /** Called with messages dropped unread (default: none). */
  readonly onDrop?: (event: DropEvent) => void;
}

/**
 * The embedded default store: messages in this process's memory, bounded in keys, age and
 * messages per key. Lost on restart, not shared between processes: use Redis for more than one.
 */
export class MemoryStore implements MessageStore {
  readonly #cache: LRUCache<string, StoredMessage[]>;
  readonly #maxMessagesPerKey: number;
  readonly #onDrop: ((event: DropEvent) => void) | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    const maxKeys = positive(options.maxKeys ?? 10_000, 'maxKeys');
    const ttlMs = positive(options.ttlMs ?? 86_400_000, 'ttlMs');
    this.#maxMessagesPerKey = positive(options.maxMessagesPerKey ?? 50, 'maxMessagesPerKey');
    this.#onDrop = options.onDrop;
    this.#cache = new LRUCache({
      max: maxKeys,
      ttl: ttlMs,
      dispose: (messages, key, reason) => {
        if (reason === 'evict' || reason === 'expire') {
          this.#drop(key, messages, reason === 'evict' ? 'evicted' : 'expired');
        }
      },
    });
  }

  async peek(key: string): Promise<StoredMessage[]> {
    return [...(this.#cache.get(key) ?? [])];
  }

  async take(key: string): Promise<StoredMessage[]> {
    const messages = this.#cache.get(key);
    if (messages === undefined) return [];
    this.#cache.delete(key);
    return messages;
  }

  async append(key: string, messages: readonly StoredMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const held = [...(this.#cache.get(key) ?? []), ...messages];
    const excess = held.length - this.#maxMessagesPerKey;
    if (excess > 0) this.#drop(key, held.splice(0, excess), 'overflow');
    this.#cache.set(key, held);
  }

  /** The number of keys held (expired ones may count until they are next touched). */
  get size(): number {
    return this.#cache.size;
  }

  #drop(key: string, messages: readonly StoredMessage[], reason: DropReason): void {
    if (messages.length > 0) this.#onDrop?.({ key, messages, reason });
  }
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`trpc-messages: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}
