import { EventEmitter } from 'node:events';
import type { StoredMessage } from '../../shared/message.js';
import type { DropEvent, DropReason, MessageStore } from './message-store.js';

export type { DropEvent, DropReason } from './message-store.js';

import { positiveInteger } from './positive-integer.js';

/** Bounds of a memory store. */
export interface MemoryStoreOptions {
  /** The most keys (sessions) held; the least recently used goes first. Default 10,000. */
  readonly maxKeys?: number;
  /** The most memory the messages may take, estimated, in bytes. Default 64 MiB. */
  readonly maxBytes?: number;
  /** How long a key's messages live after its last append, in ms. Default 1 day. */
  readonly ttlMs?: number;
  /** The most messages held per key; the oldest go first. Default 50. */
  readonly maxMessagesPerKey?: number;
  /** Called with messages dropped unread (default: none). */
  readonly onDrop?: (event: DropEvent) => void;
}

interface Entry {
  readonly messages: StoredMessage[];
  readonly bytes: number;
  readonly expiresAt: number;
}

// What a message costs in memory, roughly: two bytes per UTF-16 unit of its strings, plus the
// object and array slots around them.
const MESSAGE_OVERHEAD_BYTES = 96;
const sizeOf = (messages: readonly StoredMessage[]) =>
  messages.reduce(
    (sum, m) =>
      sum + MESSAGE_OVERHEAD_BYTES + 2 * (m.id.length + m.message.length + m.extraTags.length),
    0,
  );

/**
 * The embedded default store: messages in this process's memory, bounded in keys, bytes, age and
 * messages per key. Lost on restart, not shared between processes: use Redis for more than one.
 */
// A Map is the LRU list (it iterates in insertion order; a touch re-inserts the key). Written by
// hand because lru-cache clears its preallocated arrays, O(maxKeys), whenever its last key is
// deleted: the common case here, where a session's messages are taken as soon as they are shown.
export class MemoryStore implements MessageStore {
  readonly #entries = new Map<string, Entry>();
  readonly #maxKeys: number;
  readonly #maxBytes: number;
  readonly #ttlMs: number;
  readonly #maxMessagesPerKey: number;
  readonly #onDrop: ((event: DropEvent) => void) | undefined;
  readonly #appended = new EventEmitter().setMaxListeners(0);
  #bytes = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.#maxKeys = positiveInteger(options.maxKeys ?? 10_000, 'maxKeys');
    this.#maxBytes = positiveInteger(options.maxBytes ?? 64 * 1024 * 1024, 'maxBytes');
    this.#ttlMs = positiveInteger(options.ttlMs ?? 86_400_000, 'ttlMs');
    this.#maxMessagesPerKey = positiveInteger(options.maxMessagesPerKey ?? 50, 'maxMessagesPerKey');
    this.#onDrop = options.onDrop;
  }

  async peek(key: string): Promise<StoredMessage[]> {
    return [...(this.#live(key)?.messages ?? [])];
  }

  async take(key: string): Promise<StoredMessage[]> {
    const entry = this.#live(key);
    if (entry === undefined) return [];
    this.#remove(key, entry);
    return entry.messages;
  }

  async append(key: string, messages: readonly StoredMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const previous = this.#live(key);
    if (previous) this.#remove(key, previous);
    // The store owns its arrays (peek hands out copies, take hands the array over and forgets
    // it), so appending in place is safe and saves a copy per append.
    const held = previous?.messages ?? [];
    held.push(...messages);
    let bytes = (previous?.bytes ?? 0) + sizeOf(messages);
    const excess = held.length - this.#maxMessagesPerKey;
    if (excess > 0) {
      const dropped = held.splice(0, excess);
      bytes -= sizeOf(dropped);
      this.#drop(key, dropped, 'overflow');
    }
    const entry = { messages: held, bytes, expiresAt: Date.now() + this.#ttlMs };
    this.#entries.set(key, entry);
    this.#bytes += entry.bytes;
    // Evict the least recently used keys, never the one just written.
    for (const [oldest, old] of this.#entries) {
      if (oldest === key) break;
      if (this.#entries.size <= this.#maxKeys && this.#bytes <= this.#maxBytes) break;
      this.#remove(oldest, old);
      this.#drop(oldest, old.messages, old.expiresAt <= Date.now() ? 'expired' : 'evicted');
    }
    this.#appended.emit(key);
  }

  watch(key: string, listener: () => void): () => void {
    this.#appended.on(key, listener);
    return () => {
      this.#appended.off(key, listener);
    };
  }

  /** The number of keys held (expired ones may count until they are next touched or evicted). */
  get size(): number {
    return this.#entries.size;
  }

  /** The estimated memory the held messages take, in bytes. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The key's entry unless it expired (then it is dropped); a read counts as a use. */
  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= Date.now()) {
      this.#bytes -= entry.bytes;
      this.#drop(key, entry.messages, 'expired');
      return undefined;
    }
    this.#entries.set(key, entry);
    return entry;
  }

  #remove(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }

  #drop(key: string, messages: readonly StoredMessage[], reason: DropReason): void {
    if (messages.length > 0) this.#onDrop?.({ key, messages, reason });
  }
}
