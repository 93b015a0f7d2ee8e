import type { Operation } from '@trpc/client';
import type { WrappedLinkOptions } from './wrapped-link-options.js';

/** What tRPC's HTTP links ask the `headers` option with: the request's operations. */
export type HeadersRequest = { readonly op: Operation } | { readonly opList: readonly Operation[] };

/** The operations of a request, whichever link asks (`httpLink` one, the batch links a list). */
export function operationsOf(request: HeadersRequest): readonly Operation[] {
  return 'opList' in request ? request.opList : [request.op];
}

/**
 * The headers the app gives its link for a request (its `headers` option: an object, or a
 * function asked with the request's operations), to add the kit's own to.
 */
export async function appHeaders(
  options: WrappedLinkOptions & { readonly headers?: unknown },
  request: HeadersRequest,
): Promise<Headers> {
  const { headers } = options;
  const given: unknown = typeof headers === 'function' ? await headers(request) : headers;
  return new Headers(given as HeadersInit | undefined);
}
