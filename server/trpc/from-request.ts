import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TRPCRequestInfo } from '@trpc/server/http';
import {
  CLIENT_HEADER,
  type ClientHeader,
  encodeInline,
  parseClientHeader,
} from '../../shared/delivery.js';
import type { TagMap } from '../../shared/tags.js';
import { fetchExchange } from '../http/fetch-exchange.js';
import { nodeExchange } from '../http/node-exchange.js';
import type { ResponseExchange } from '../http/response-exchange.js';
import { MessageInputError } from '../messages/message-input-error.js';
import { type Delivery, Messages, type MessagesOptions } from '../messages/messages.js';
import { inProduction } from '../runtime/environment.js';
import type { MessageStorage } from '../storage/backend.js';
import { announceInline } from './inline-delivery.js';
import type { Reporter } from './reporter.js';
import { requestStates } from './request-state.js';

// What a request holds where actions are bound to no one (the cookie storage).
const UNBOUND: readonly string[] = [''];

/** What `createContext` receives from the node adapters (standalone, express, node:http). */
export interface NodeRequestOptions {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly info?: TRPCRequestInfo;
}

/** What `createContext` receives from the fetch adapter (Hono, Next.js, Bun, Deno, edge). */
export interface FetchRequestOptions {
  readonly req: Request;
  readonly resHeaders: Headers;
  readonly info?: TRPCRequestInfo;
}

/**
 * A request whose exchange the app builds itself (Next.js Server Actions and server components,
 * through `trpc-messages/next`).
 */
export interface ExchangeRequestOptions {
  readonly exchange: ResponseExchange;
  readonly info?: TRPCRequestInfo;
}

/** What `fromRequest` may know of a request beyond its HTTP exchange. */
export interface RequestMessagesOptions {
  /**
   * The signed-in user's id: their messages are kept under it (server-side storages), so they
   * follow them across devices and can be sent from jobs by user id. Leave it out for visitors.
   */
  readonly userId?: string | number | undefined;
}

/** What `fromRequest` needs of its kit. */
export interface RequestMessagesSetup<Tags extends TagMap> {
  readonly storage: MessageStorage;
  readonly messageOptions: MessagesOptions<Tags>;
  readonly reporter: Reporter;
  /** How long messages handed to a tab are leased to it, in ms. */
  readonly leaseMs: number;
  /** The kit's `messages.consume`: a request that calls it is never cached. */
  readonly consume: object;
}

/** Builds `fromRequest`: one request's `Messages`, for `createContext`. */
export function createFromRequest<Tags extends TagMap>(setup: RequestMessagesSetup<Tags>) {
  const { storage, reporter } = setup;
  const noneInline = encodeInline([], setup.leaseMs);
  const warnNeverStored = neverStoredWarning(reporter);

  return function fromRequest(
    opts: NodeRequestOptions | FetchRequestOptions | ExchangeRequestOptions,
    request: RequestMessagesOptions = {},
  ): Messages<Tags> {
    const exchange = exchangeOf(opts);
    const calls = callsOf(opts.info, setup.consume);
    if (calls.consumes) exchange.setHeader('cache-control', 'no-store');
    // A client with the kit's link names its tab and says what its response may carry.
    const client = parseClientHeader(exchange.requestHeader(CLIENT_HEADER));
    // Failures the storage recovers from (a store that is down, under fallback), and bad input
    // to `add`, belong to the request: named by its calls' paths, as tRPC names a batch ('a,b').
    const onError = (error: unknown) => reporter.report(error, calls.paths);
    // The Toaster consumes on mount: a session given then is shared by the page's next
    // requests, even concurrent ones.
    const backend = storage.open(exchange, {
      headersFirst: calls.headersFirst,
      startSession: calls.consumes,
      userId: request.userId === undefined ? undefined : String(request.userId),
      onError,
    });
    const messages: Messages<Tags> = new Messages<Tags>(backend, {
      ...setup.messageOptions,
      onError,
      ...(client && { delivery: deliveryOf(client, calls.headersFirst, setup.leaseMs) }),
      ...(opts.info?.type === 'subscription' && subscription(opts.info, reporter, () => messages)),
    });
    requestStates.set(messages, {
      exchange,
      noStore: calls.consumes,
      actions: client?.actions ?? [],
      verifiedActions: new Set(),
      identities: () => backend.identities?.() ?? UNBOUND,
    });
    if (messages.inline) announceInline(exchange, noneInline);
    if ('res' in opts) warnNeverStored(opts.res, messages);
    return messages;
  };
}

/** The exchange of a request, whichever adapter (or framework entry) made its options. */
function exchangeOf(
  opts: NodeRequestOptions | FetchRequestOptions | ExchangeRequestOptions,
): ResponseExchange {
  if ('exchange' in opts) return opts.exchange;
  return 'resHeaders' in opts
    ? fetchExchange(opts.req, opts.resHeaders)
    : nodeExchange(opts.req, opts.res);
}

/** What a request's calls mean for its messages. */
function callsOf(info: TRPCRequestInfo | undefined, consume: object) {
  return {
    // Streamed batches and subscriptions send their headers before the procedures run.
    headersFirst: info?.accept === 'application/jsonl' || info?.type === 'subscription',
    consumes: info?.calls.some((call) => call.procedure === consume) ?? false,
    paths: info?.calls.map((call) => call.path).join(',') || undefined,
  };
}

/** How the client that sent `client` takes delivery of this request's messages. */
function deliveryOf(client: ClientHeader, headersFirst: boolean, leaseMs: number): Delivery {
  return {
    holder: client.tab,
    acks: client.acks,
    // Streamed responses send their headers first: they cannot carry messages.
    inline: headersFirst ? undefined : client.inline,
    leaseMs,
  };
}

/**
 * A subscription's settings: its work outlives its middleware, so each change is persisted as
 * made, and a failure is reported (no call is left to fail once the stream is under way).
 */
function subscription(
  info: TRPCRequestInfo,
  reporter: Reporter,
  messages: () => Messages<TagMap>,
): Pick<MessagesOptions<TagMap>, 'eager' | 'onError'> {
  const path = info.calls[0]?.path;
  return {
    eager: true,
    onError: (error) => {
      if (error instanceof MessageInputError) return reporter.report(error, path);
      try {
        reporter.fail(messages(), error, path);
      } catch (thrown) {
        reporter.report(thrown, path);
      }
    },
  };
}

/**
 * The commonest mistake, made visible outside production (once): a request that queued
 * messages and never stored them, as one whose procedure lacks the persist middleware does.
 */
function neverStoredWarning(reporter: Reporter) {
  let warned = inProduction();
  return (res: NodeRequestOptions['res'], messages: Messages<TagMap>) => {
    if (warned) return;
    res.once('finish', () => {
      if (!messages.unsaved || reporter.failed(messages) || warned) return;
      warned = true;
      console.warn(
        'trpc-messages: a request queued messages that were never stored; add the persist ' +
          'middleware to your base procedure: t.procedure.use(messages.persist)',
      );
    });
  };
}
