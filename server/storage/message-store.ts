import type { StoredMessage } from '../../shared/message.js';
import type { DropEvent } from '../reports/drop-event.js';

export type { DropEvent, DropReason } from '../reports/drop-event.js';

import type { ListenOptions } from '../reports/listeners.js';

/**
 * Where server-side messages live, by key (a session or a user). Every operation is atomic on its
 * key, so concurrent requests of one session never lose or duplicate a message.
 */
export interface MessageStore {
  /** The key's messages (acknowledged ones are gone; leased ones are there), oldest first. */
  peek(key: string): Promise<StoredMessage[]>;
  /**
   * Applies `change` to the key in one atomic step, in this order: removes the acknowledged
   * ids, appends the added messages (leased, when the change has a lease), then hands messages
   * out. Returns those handed out, oldest first.
   */
  commit(key: string, change: StoreChange): Promise<StoredMessage[]>;
  /**
   * Retires `key` for good, in one atomic step: removes its messages and returns them, oldest
   * first, and from then on, for `retirement.ttlMs`, a step on the key changes nothing and
   * rejects with a `RetiredKeyError` (naming `successor` for `retirement.forwardMs`, so what
   * requests in flight add can follow the session to where it moved), and a peek finds nothing.
   * A key already retired keeps its first successor and gives nothing. For rotating a session id
   * (sign-in, sign-out): a copied session cookie is then worth nothing.
   */
  retire(key: string, successor: string, retirement: Retirement): Promise<StoredMessage[]>;
  /**
   * Records `id` as used until `until` (ms since the epoch), atomically: resolves true the first
   * time, false when it was recorded already. For the one-time tokens of messages' actions: a
   * store that cannot record (full, down) rejects, and the action is refused.
   */
  markUsed(id: string, until: number): Promise<boolean>;
  /**
   * Calls `listener` whenever messages are appended to `key` and not handed out in the same
   * step, by this process or (for a shared store) any other, with the holder they are leased to
   * (undefined: free for anyone), and with `KEY_RETIRED` once the key is retired (its session
   * rotated: whoever watches it should watch the new one); returns the function that stops it.
   * For live delivery.
   */
  watch(key: string, listener: (heldBy: string | undefined) => void): () => void;
  /**
   * Calls `listener` with every message the store lets go unread; returns its stop. With
   * `{ weak: true }`, the store holds the listener weakly (its owner keeps it): it stops once
   * garbage-collected. A drop no listener hears of is logged, in counts.
   */
  watchDrops?(listener: (event: DropEvent) => void, options?: ListenOptions): () => void;
  /**
   * Calls `listener` with failures outside any request, which no call's error reports: a lost
   * connection (once per outage, not per retry) and its end, or a removal that failed after its
   * messages were handed out. Returns its stop; `{ weak: true }` as for `watchDrops`. Without a
   * listener, a store logs them.
   */
  watchErrors?(listener: (error: unknown) => void, options?: ListenOptions): () => void;
}

/** What one atomic step changes in a key's messages. */
export interface StoreChange {
  /** Messages to append after the key's others. */
  readonly added?: readonly StoredMessage[];
  /** Ids of messages the client has shown: removed for good. Unknown ids are ignored. */
  readonly acked?: readonly string[];
  /** The lease the added messages, and those handed out, are given. */
  readonly lease?: Lease | undefined;
  /** Which messages to hand out (default 'none'). */
  readonly handOut?: HandOut;
}

/**
 * What a watch of a key hears once the key is retired (see `MessageStore.watch`): a value no
 * holder can be (a tab's id has no colon).
 */
export const KEY_RETIRED = ':retired';

/** How long a retired key stays retired, and how long what is added to it goes to its successor. */
export interface Retirement {
  /** How long a step on the key is refused, in ms: as long as a copy of its cookie is valid. */
  readonly ttlMs: number;
  /** How long what is added to the key goes to its successor, in ms: requests in flight. */
  readonly forwardMs: number;
}

/**
 * A step was asked of a key that was retired (its session rotated): nothing was changed.
 * `successor` is the key what the step adds goes to instead while the key still forwards, and
 * undefined once it no longer does.
 */
export class RetiredKeyError extends Error {
  readonly key: string;
  readonly successor: string | undefined;
  constructor(key: string, successor: string | undefined) {
    super(
      `trpc-messages: ${key} was retired when its session was rotated (sign-in or sign-out); ` +
        'send to the recipient the request has now (ctx.messages.recipient())',
    );
    this.name = 'RetiredKeyError';
    this.key = key;
    this.successor = successor;
  }
}

/** A client's hold on messages handed to it: no other holder gets them until `ms` have passed. */
export interface Lease {
  /** Who holds them: a browser tab's id. */
  readonly holder: string;
  /** How long the lease lasts, in ms from the step that gives it. */
  readonly ms: number;
}

/** A lease as a store keeps it: who holds the message, and until when (ms since the epoch). */
export interface HeldLease {
  readonly holder: string;
  readonly until: number;
}

/**
 * Which messages a step hands out:
 * - 'none': none;
 * - 'own': those leased to the change's holder (whatever their lease's age);
 * - 'all': those, and every message no other holder has an unexpired lease on;
 * - 'take': every message (for clients that do not acknowledge) but those another take holds;
 *   without a lease, removed in the same step; with one, leased to the taker, who acknowledges
 *   them once they are in hand (a take in two steps, for a store whose step may run after its
 *   caller gave up on it: RedisStore takes so, under a holder of TAKE_HOLDER_PREFIX).
 * 'own' and 'all' renew the lease of what they hand out, so they need the change's lease.
 * `applyChange` (delivery-rule.ts) is this rule, which every store follows.
 */
export type HandOut = 'none' | 'own' | 'all' | 'take';

/** Throws unless a change that hands out under a lease has one. */
export function assertLeaseFor(change: StoreChange): void {
  if ((change.handOut === 'own' || change.handOut === 'all') && change.lease === undefined) {
    throw new TypeError(`trpc-messages: handing out '${change.handOut}' needs a lease`);
  }
}
