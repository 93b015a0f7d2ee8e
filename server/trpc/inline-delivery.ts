import { encodeInline, INLINE_HEADER } from '../../shared/delivery.js';
import type { TagMap } from '../../shared/tags.js';
import type { ResponseExchange } from '../http/response-exchange.js';
import type { Messages } from '../messages/messages.js';

/**
 * Promises the client, before any procedure runs, that this response carries the request's
 * messages (`none`: the header of none, made once per kit): its link then needs no consume.
 * Readable cross-origin too.
 */
export function announceInline(exchange: ResponseExchange, none: string): void {
  exchange.setHeader(INLINE_HEADER, none);
  if (exchange.crossOrigin)
    exchange.addToHeaderList('access-control-expose-headers', INLINE_HEADER);
}

/**
 * Puts on the response what the request's steps handed out so far, replacing what an earlier
 * call of its batch put there: each persist of a batch runs before the response leaves.
 */
export function writeInline(
  exchange: ResponseExchange,
  messages: Messages<TagMap>,
  leaseMs: number,
): void {
  if (messages.inlined.length === 0) return;
  exchange.setHeader(INLINE_HEADER, encodeInline(messages.inlined, leaseMs));
  // A response carrying messages must never be served again from a cache (POSTs are not).
  if (exchange.method === 'GET') exchange.setHeader('cache-control', 'no-store');
}
