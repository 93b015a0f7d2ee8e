import {
  getFetch,
  type httpBatchLink,
  type httpBatchStreamLink,
  type httpLink,
  type TRPCLink,
  type TRPCUntypedClient,
} from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { tap } from '@trpc/server/observable';
import { CLIENT_HEADER } from '../../shared/delivery.js';
import { currentTab } from '../core/browser-tab.js';
import { ackBeacon } from './ack-beacon.js';
import { appHeaders, type HeadersRequest, operationsOf } from './app-headers.js';
import { LinkDelivery } from './link-delivery.js';
import type { WrappedLinkOptions } from './wrapped-link-options.js';

// The delivery of each tRPC client that has the link, by the client's runtime (the object tRPC
// hands every link of one client): how the Toaster finds the link of the client it is given.
const deliveries = new WeakMap<object, LinkDelivery>();

/**
 * The kit's client link, around tRPC's HTTP link: `messagesLink(httpBatchLink, { url })`. Each
 * request names the browser tab and carries the acknowledgements of what it showed; each
 * response's messages go to the Toaster at once (1 request per flashing mutation), and a
 * mutation whose response could not carry them (a streamed batch) is followed by a consume.
 * Outside a browser (server rendering) it is the wrapped link alone.
 */
// tRPC's own HTTP links, by name: their options are typed from the app's router (its
// transformer) where the overloads below meet them, so an inline `fetch` or `headers` of the
// app's is checked as the link would check it.
export function messagesLink<TRouter extends AnyRouter>(
  link: typeof httpBatchLink,
  options: Parameters<typeof httpBatchLink<TRouter>>[0],
): TRPCLink<TRouter>;
export function messagesLink<TRouter extends AnyRouter>(
  link: typeof httpLink,
  options: Parameters<typeof httpLink<TRouter>>[0],
): TRPCLink<TRouter>;
export function messagesLink<TRouter extends AnyRouter>(
  link: typeof httpBatchStreamLink,
  options: Parameters<typeof httpBatchStreamLink<TRouter>>[0],
): TRPCLink<TRouter>;
/** Any other link made from options with a `url`, and a `fetch` and `headers` as tRPC's take them. */
export function messagesLink<TRouter extends AnyRouter, TOptions extends WrappedLinkOptions>(
  link: (options: TOptions) => TRPCLink<TRouter>,
  options: TOptions,
): TRPCLink<TRouter>;
export function messagesLink<TRouter extends AnyRouter, TOptions extends WrappedLinkOptions>(
  link: (options: TOptions) => TRPCLink<TRouter>,
  options: TOptions,
): TRPCLink<TRouter> {
  return (runtime) => {
    const tab = currentTab();
    if (tab === undefined) return link(options)(runtime);
    const delivery = new LinkDelivery(tab, ackBeacon(options));
    deliveries.set(runtime, delivery);
    const inner = link({
      ...options,
      fetch: delivery.fetch(getFetch(options.fetch)),
      // Asked for each HTTP request, with the operations it carries.
      headers: async (request: HeadersRequest) => {
        const headers = await appHeaders(options, request);
        headers.set(
          CLIENT_HEADER,
          delivery.clientHeader(operationsOf(request).map((op) => op.path)),
        );
        return headers;
      },
    })(runtime);
    return ({ op, next }) => {
      let response: unknown;
      return inner({ op, next }).pipe(
        tap({
          next(value) {
            response = value.context?.response;
          },
          error(error) {
            delivery.settled(op.type, op.path, error.meta?.response);
          },
          complete() {
            delivery.settled(op.type, op.path, response);
          },
        }),
      );
    };
  };
}

/** The delivery of `client`'s messagesLink, if it has one. */
export function deliveryOf(client: TRPCUntypedClient<AnyRouter>): LinkDelivery | undefined {
  return deliveries.get(client.runtime);
}
