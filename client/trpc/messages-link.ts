import {
  getFetch,
  getUntypedClient,
  type httpBatchLink,
  type httpBatchStreamLink,
  type httpLink,
  type TRPCLink,
  type TRPCUntypedClient,
} from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import { CLIENT_HEADER } from '../../shared/delivery.js';
import { currentTab } from '../core/browser-tab.js';
import { type Beacon, Delivery } from './delivery.js';

/** What `messagesLink` needs of the options of the link it wraps. */
export interface WrappedLinkOptions {
  readonly url: string | URL;
  readonly fetch?: Parameters<typeof getFetch>[0];
}

// The delivery of each tRPC client that has the link, by the client's runtime (the object tRPC
// hands every link of one client): how the Toaster finds the link of the client it is given.
const deliveries = new WeakMap<object, Delivery>();

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
/** Any other link made from options with a `url` and a `fetch`. */
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
    const delivery = new Delivery(tab, beaconOf(options));
    deliveries.set(runtime, delivery);
    const fetch = delivery.fetch(getFetch(options.fetch));
    const inner = link({ ...options, fetch })(runtime);
    return ({ op, next }) =>
      observable((observer) => {
        let response: unknown;
        const subscription = inner({ op, next }).subscribe({
          next(value) {
            response = value.context?.response;
            observer.next(value);
          },
          error(error) {
            delivery.settled(op.type, op.path, error.meta?.response);
            observer.error(error);
          },
          complete() {
            delivery.settled(op.type, op.path, response);
            observer.complete();
          },
        });
        return () => subscription.unsubscribe();
      });
  };
}

/** The delivery of `client`'s messagesLink, if it has one. */
export function deliveryOf(client: object): Delivery | undefined {
  const runtime = untypedClientOf(client)?.runtime;
  return runtime ? deliveries.get(runtime) : undefined;
}

/** The untyped client under a tRPC client; undefined for an object that is not one. */
export function untypedClientOf(client: object): TRPCUntypedClient<AnyRouter> | undefined {
  // getUntypedClient reads a symbol that every client createTRPCClient made carries.
  return getUntypedClient(client as Parameters<typeof getUntypedClient>[0]);
}

/**
 * Sends acknowledgements to `messages.ack` on a request that outlives the page, with the
 * headers the app gives its link (a function of theirs is asked with the ack as its operation).
 */
function beaconOf(options: WrappedLinkOptions & { readonly headers?: unknown }): Beacon {
  const url = `${String(options.url).replace(/\/$/, '')}/messages.ack`;
  const send = getFetch(options.fetch);
  return (clientHeader) => {
    const op = { type: 'mutation', path: 'messages.ack', input: undefined, context: {} };
    const appHeaders: unknown =
      typeof options.headers === 'function'
        ? options.headers({ op, opList: [op] })
        : options.headers;
    void Promise.resolve(appHeaders)
      .then((headers) =>
        send(url, {
          method: 'POST',
          keepalive: true,
          headers: {
            ...Object.fromEntries(new Headers(headers as HeadersInit | undefined)),
            // tRPC answers a POST without a JSON content type 415, even when it reads no body.
            'content-type': 'application/json',
            [CLIENT_HEADER]: clientHeader,
          },
        }),
      )
      .catch(() => {
        // The page is going away: what was not acknowledged may come again, held back here.
      });
  };
}
