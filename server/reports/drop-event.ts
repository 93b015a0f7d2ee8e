import type { StoredMessage } from '../../shared/message.js';

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
