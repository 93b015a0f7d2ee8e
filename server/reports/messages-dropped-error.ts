import type { StoredMessage } from '../../shared/message.js';
import type { DropReason } from './drop-event.js';
import { Notice } from './notice.js';

/** Why messages were dropped unread: a store's reason, or a cookie over its byte budget. */
export type DroppedBecause = DropReason | 'cookie-full';

/** How many messages were dropped, by reason. */
export type DropCounts = { readonly [Reason in DroppedBecause]?: number };

const because: Record<DroppedBecause, string> = {
  overflow: 'pushed out by newer ones (maxMessagesPerKey)',
  evicted: 'evicted (the store was full: maxKeys, maxBytes)',
  expired: "expired (past the store's ttl)",
  'cookie-full': 'did not fit the cookie (maxBytes)',
};

const counted = (count: number) => count.toLocaleString('en-US');

/**
 * Messages were dropped unread: how many, by reason (`counts`), over the last `intervalMs` when it
 * sums up a while of a store's drops; `messages` are those of one request (a cookie over its
 * budget), and empty in a sum, which keeps no message.
 */
export class MessagesDroppedError extends Notice {
  readonly counts: DropCounts;
  readonly messages: readonly StoredMessage[];
  readonly intervalMs: number | undefined;

  constructor(
    counts: DropCounts,
    details: { readonly messages?: readonly StoredMessage[]; readonly intervalMs?: number } = {},
  ) {
    const reasons = Object.entries(counts) as [DroppedBecause, number][];
    const total = reasons.reduce((sum, [, count]) => sum + count, 0);
    const during =
      details.intervalMs === undefined ? '' : ` in the last ${details.intervalMs / 1000} s`;
    super(
      `trpc-messages: ${counted(total)} message${total === 1 ? '' : 's'} dropped unread${during}: ` +
        reasons.map(([reason, count]) => `${counted(count)} ${because[reason]}`).join(', '),
    );
    this.name = 'MessagesDroppedError';
    this.counts = counts;
    this.messages = details.messages ?? [];
    this.intervalMs = details.intervalMs;
  }

  /** How many messages were dropped in all. */
  get count(): number {
    return Object.values(this.counts).reduce((sum, count) => sum + count, 0);
  }
}
