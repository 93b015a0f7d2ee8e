import type { StoredMessage } from '../../shared/message.js';

/**
 * Where server-side messages live, by key (a session or a user). Every operation is atomic on its
 * key, so concurrent requests of one session never lose or duplicate a message.
 */
export interface MessageStore {
  /** The key's messages, oldest first, left in place. */
  peek(key: string): Promise<StoredMessage[]>;
  /** The key's messages, oldest first, removed in the same step: no other take sees them. */
  take(key: string): Promise<StoredMessage[]>;
  /** Adds messages after the key's others. */
  append(key: string, messages: readonly StoredMessage[]): Promise<void>;
  /**
   * Calls `listener` whenever messages are appended to `key`, by this process or (for a shared
   * store) any other; returns the function that stops it. For live delivery.
   */
  watch(key: string, listener: () => void): () => void;
}

/** Why a store let messages go without them being read. */
export type DropReason =
  /** The key had more than `maxMessagesPerKey`: its oldest went. */
  | 'overflow'
  /** More than `maxKeys` keys, or more than `maxBytes` in all: the least recently used key went. */
  | 'evicted'
  /** The key was not written for `ttlMs`. */
  | 'expired';

/** Messages a store let go unread, and why. */
export interface DropEvent {
  readonly key: string;
  readonly messages: readonly StoredMessage[];
  readonly reason: DropReason;
}
