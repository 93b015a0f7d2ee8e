import type { StoredMessage } from '../../shared/message.js';

/**
 * Where server-side messages live, by key (a session id). Every operation is atomic on its key,
 * so concurrent requests of one session never lose or duplicate a message.
 */
export interface MessageStore {
  /** The key's messages, oldest first, left in place. */
  peek(key: string): Promise<StoredMessage[]>;
  /** The key's messages, oldest first, removed in the same step: no other take sees them. */
  take(key: string): Promise<StoredMessage[]>;
  /** Adds messages after the key's others. */
  append(key: string, messages: readonly StoredMessage[]): Promise<void>;
}
