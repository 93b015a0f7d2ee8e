import type { StoredMessage } from '../../../shared/message.js';
import { DropListeners } from '../../reports/drop-listeners.js';
import type { ListenOptions } from '../../reports/listeners.js';
import { positiveInteger } from '../../runtime/positive-integer.js';
import { processWide } from '../../runtime/process-wide.js';
import { applyChange } from '../../storage/delivery-rule.js';
import {
  assertLeaseFor,
  type DropEvent,
  type DropReason,
  type HeldLease,
  KEY_RETIRED,
  type MessageStore,
  RetiredKeyError,
  type Retirement,
  type StoreChange,
} from '../../storage/message-store.js';
import { messageWeight } from '../../storage/message-weight.js';
import { ExpiringMap } from './expiring-map.js';

export type { DropEvent, DropReason } from '../../storage/message-store.js';

/** Bounds of a memory store. */
export interface MemoryStoreOptions {
  /** The most keys (sessions) held; the least recently used goes first. Default 10,000. */
  readonly maxKeys?: number;
  /**
   * The most memory the keys and their messages may take, estimated, in bytes: a message counts
   * twice its weight (as `maxMessageBytes` weighs it) and its id and slots, a key its text and
   * entry. Default 64 MiB.
   */
  readonly maxBytes?: number;
  /** How long a key's messages live after its last append, in ms. Default 1 day. */
  readonly ttlMs?: number;
  /** The most messages held per key; the oldest go first. Default 50. */
  readonly maxMessagesPerKey?: number;
  /**
   * The most action tokens recorded as used (each until its action expires). Default 100,000;
   * when that many are unexpired, a further action is refused rather than a record forgotten.
   */
  readonly maxUsedTokens?: number;
  /**
   * Called with each drop of messages unread. The tRPC kit reports them on its own; a store
   * used without it and without `onDrop` logs them in counts (every ten seconds at most).
   */
  readonly onDrop?: (event: DropEvent) => void;
}

interface Entry {
  messages: readonly StoredMessage[];
  /** Leases by message id (none: every message is free); replaced, never changed. */
  leases: ReadonlyMap<string, HeldLease> | undefined;
  bytes: number;
  expiresAt: number;
}

// What a message costs in memory, roughly: twice its weight (two bytes per UTF-16 unit of its
// text, as V8 may keep it, and about as much for its parameters and action: see messageWeight)
// and its id, plus the object and array slots around them.
const MESSAGE_OVERHEAD_BYTES = 96;
const sizeOf = (messages: readonly StoredMessage[]) =>
  messages.reduce(
    (sum, m) => sum + MESSAGE_OVERHEAD_BYTES + 2 * (m.id.length + messageWeight(m)),
    0,
  );
// What a key costs beyond its messages: its text, its entry and lease map, and the Map's slots
// (about 315 bytes measured: bench/memory-store.bench.ts).
const KEY_OVERHEAD_BYTES = 320;
const keySize = (key: string) => KEY_OVERHEAD_BYTES + 2 * key.length;

/**
 * The embedded default store: messages in this process's memory, bounded in keys, bytes, age and
 * messages per key. Lost on restart, not shared between processes: use Redis for more than one.
 */
// A Map is the LRU list (it iterates in insertion order; a touch re-inserts the key). Written by
// hand because lru-cache clears its preallocated arrays, O(maxKeys), whenever its last key is
// deleted: the common case here, where a session's messages go as soon as they are shown.
export class MemoryStore implements MessageStore {
  readonly #entries = new Map<string, Entry>();
  readonly #maxKeys: number;
  readonly #maxBytes: number;
  readonly #ttlMs: number;
  readonly #maxMessagesPerKey: number;
  readonly #drops: DropListeners;
  // Watchers by key: told of messages appended to it, with the holder of their lease.
  readonly #watchers = new Map<string, Set<(heldBy: string | undefined) => void>>();
  // Retired keys: their successor and until when what is added to them goes there. As many as
  // keys; past that the oldest retirement is forgotten (its key reads as a new, empty one).
  readonly #retired: ExpiringMap<{ successor: string; forwardUntil: number }>;
  readonly #used: ExpiringMap<true>;
  #bytes = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.#maxKeys = positiveInteger(options.maxKeys ?? 10_000, 'maxKeys');
    this.#maxBytes = positiveInteger(options.maxBytes ?? 64 * 1024 * 1024, 'maxBytes');
    this.#ttlMs = positiveInteger(options.ttlMs ?? 86_400_000, 'ttlMs');
    this.#maxMessagesPerKey = positiveInteger(options.maxMessagesPerKey ?? 50, 'maxMessagesPerKey');
    this.#drops = new DropListeners(options.onDrop);
    this.#retired = new ExpiringMap(this.#maxKeys);
    this.#used = new ExpiringMap(
      positiveInteger(options.maxUsedTokens ?? 100_000, 'maxUsedTokens'),
    );
  }

  async peek(key: string): Promise<StoredMessage[]> {
    return [...(this.#live(key)?.messages ?? [])];
  }

  async retire(key: string, successor: string, retirement: Retirement): Promise<StoredMessage[]> {
    const now = Date.now();
    if (this.#retired.get(key, now) !== undefined) return [];
    const entry = this.#live(key);
    if (entry) this.#remove(key, entry);
    const forwardUntil = now + retirement.forwardMs;
    this.#retired.set(key, { successor, forwardUntil }, now + retirement.ttlMs, now, true);
    for (const listener of [...(this.#watchers.get(key) ?? [])]) listener(KEY_RETIRED);
    return [...(entry?.messages ?? [])];
  }

  async markUsed(id: string, until: number): Promise<boolean> {
    const now = Date.now();
    if (this.#used.get(id, now)) return false;
    if (this.#used.set(id, true, until, now, false)) return true;
    throw new Error(
      `trpc-messages: the memory store holds ${this.#used.size} unexpired action tokens ` +
        '(maxUsedTokens), so it cannot record another; the action was refused',
    );
  }

  // Not async: the work is synchronous, and an async frame per step costs a request more than it.
  commit(key: string, change: StoreChange): Promise<StoredMessage[]> {
    try {
      return Promise.resolve(this.#commit(key, change));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #commit(key: string, change: StoreChange): StoredMessage[] {
    assertLeaseFor(change);
    const { added = [], lease, handOut = 'none' } = change;
    const now = Date.now();
    if (this.#retired.size > 0) {
      const retired = this.#retired.get(key, now);
      if (retired) {
        throw new RetiredKeyError(key, retired.forwardUntil > now ? retired.successor : undefined);
      }
    }
    let entry = this.#live(key);
    if (entry === undefined) {
      if (added.length === 0) return [];
      entry = { messages: [], leases: undefined, bytes: 0, expiresAt: 0 };
      this.#entries.set(key, entry);
      this.#resize(entry, keySize(key));
    }
    const step = applyChange(entry, change, now, this.#maxMessagesPerKey);
    entry.messages = step.messages;
    entry.leases = step.leases;
    if (added.length > 0) entry.expiresAt = now + this.#ttlMs;
    if (step.trimmed.length > 0) this.#drop(key, step.trimmed, 'overflow');
    if (entry.messages.length === 0) {
      // The whole entry goes, what it weighed with it: nothing to weigh one by one.
      this.#remove(key, entry);
    } else {
      this.#resize(entry, sizeOf(added) - sizeOf(step.removed));
      if (added.length > 0) this.#evictBeyondBounds(key);
    }
    // Messages handed out as they are added are on their way already: no news to watchers.
    if (added.length > 0 && handOut === 'none') {
      for (const listener of [...(this.#watchers.get(key) ?? [])]) listener(lease?.holder);
    }
    return step.handedOut;
  }

  watch(key: string, listener: (heldBy: string | undefined) => void): () => void {
    // A registration of its own, so one listener can watch twice.
    const registration = (heldBy: string | undefined) => listener(heldBy);
    const watchers = this.#watchers.get(key) ?? new Set();
    this.#watchers.set(key, watchers);
    watchers.add(registration);
    return () => {
      watchers.delete(registration);
      if (watchers.size === 0 && this.#watchers.get(key) === watchers) this.#watchers.delete(key);
    };
  }

  watchDrops(listener: (event: DropEvent) => void, options?: ListenOptions): () => void {
    return this.#drops.watch(listener, options);
  }

  /** The number of keys held (expired ones may count until they are next touched or evicted). */
  get size(): number {
    return this.#entries.size;
  }

  /** The estimated memory the held keys and messages take, in bytes (what `maxBytes` bounds). */
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

  /** Evicts the least recently used keys while past a bound, never the one just written. */
  #evictBeyondBounds(written: string): void {
    for (const [oldest, old] of this.#entries) {
      if (oldest === written) break;
      if (this.#entries.size <= this.#maxKeys && this.#bytes <= this.#maxBytes) break;
      this.#remove(oldest, old);
      this.#drop(oldest, old.messages, old.expiresAt <= Date.now() ? 'expired' : 'evicted');
    }
  }

  #resize(entry: Entry, bytes: number): void {
    entry.bytes += bytes;
    this.#bytes += bytes;
  }

  #remove(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }

  #drop(key: string, messages: readonly StoredMessage[], reason: DropReason): void {
    this.#drops.emit({ key, messages, reason });
  }
}

/**
 * The process's one default memory store, shared by every storage that names no store and every
 * copy of the module in the process (a duplicated bundle, a recompile).
 */
export function processMemoryStore(): MemoryStore {
  return processWide('memory-store', () => new MemoryStore());
}
