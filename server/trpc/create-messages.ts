import type { IncomingMessage, ServerResponse } from 'node:http';
import { initTRPC, TRPCError } from '@trpc/server';
import type { ResponseMeta, TRPCRequestInfo } from '@trpc/server/http';
import { DEFAULT_LEVELS } from '../../shared/levels.js';
import type { StoredMessage } from '../../shared/message.js';
import type { DefaultTags, TagMap } from '../../shared/tags.js';
import { fetchExchange } from '../adapters/fetch.js';
import { nodeExchange } from '../adapters/node.js';
import type { ResponseExchange } from '../adapters/response-exchange.js';
import { type Recipient, recipientKey, type Storage } from '../storage/backend.js';
import { StreamedCookieError } from '../storage/cookie-storage.js';
import { Messages, type MessagesOptions } from '../storage/messages.js';
import { type RecipientMessages, sendTo } from '../storage/outbox.js';
import { serverStorage } from '../storage/server-storage.js';

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

/** What `fromRequest` may know of a request beyond its HTTP exchange. */
export interface RequestMessagesOptions {
  /**
   * The signed-in user's id: their messages are kept under it (server-side storages), so they
   * follow them across devices and can be sent from jobs by user id. Leave it out for visitors.
   */
  readonly userId?: string | number | undefined;
}

/** Settings of the messages framework for an app. */
export interface CreateMessagesOptions<Tags extends TagMap> {
  /** Where messages are kept (default `serverStorage()`: memory store + session cookie). */
  readonly storage?: Storage;
  /** The default minimum level stored (default INFO); a request can change its own. */
  readonly level?: number;
  /** The app's tag map (`defineTags`), for custom levels and renamed tags. */
  readonly tags?: Tags;
  /** The longest message accepted, in bytes of UTF-8 (default 8192). */
  readonly maxMessageBytes?: number;
  /**
   * Told when messages could not be stored or read (a store that is down, a cookie over its
   * budget); the request itself goes on. Default: console.error.
   */
  readonly onError?: (error: unknown, where: { readonly path?: string }) => void;
}

/** The context a procedure of the `messages` router needs. */
export interface MessagesContext<Tags extends TagMap = DefaultTags> {
  readonly messages?: Messages<Tags> | undefined;
}

/** Messages could not all be kept; `messages` were dropped (cookie storage over its budget). */
export class MessagesDroppedError extends Error {
  readonly messages: readonly StoredMessage[];
  constructor(messages: readonly StoredMessage[]) {
    super(`trpc-messages: ${messages.length} message(s) did not fit the storage and were dropped`);
    this.name = 'MessagesDroppedError';
    this.messages = messages;
  }
}

/** What responseMeta needs to know of a request's messages. */
interface RequestState {
  readonly exchange: ResponseExchange;
  /** The request consumes messages: its response must never be cached. */
  readonly noStore: boolean;
}

const requests = new WeakMap<object, RequestState>();

/**
 * Sets up the messages framework for an app, once: `fromRequest` for `createContext`, the
 * `persist` middleware for the app's base procedure, the `messages` router, and a `responseMeta`
 * for apps that set cookies in their own.
 */
export function createMessages<const Tags extends TagMap = DefaultTags>(
  options: CreateMessagesOptions<Tags> = {},
) {
  const storage = options.storage ?? serverStorage();
  const production = process.env.NODE_ENV === 'production';
  const report = options.onError ?? ((error: unknown) => console.error('trpc-messages:', error));
  // The same for every request: built once.
  const messageOptions: MessagesOptions<Tags> = {
    ...(options.level === undefined ? {} : { level: options.level }),
    ...(options.tags === undefined ? {} : { tags: options.tags }),
    ...(options.maxMessageBytes === undefined ? {} : { maxMessageBytes: options.maxMessageBytes }),
  };
  const reportRecovered = (error: unknown) => report(error, {});
  let streamedCookieLogged = false;
  let persistMissingWarned = false;
  // Requests whose messages a store refused: that was reported, so they are not "never stored".
  const storeFailed = new WeakSet<object>();

  /** Reports a failure of messages work; in development a misconfiguration is thrown instead. */
  function fail(error: unknown, path: string | undefined): void {
    if (error instanceof StreamedCookieError) {
      if (!production) throw error;
      if (streamedCookieLogged) return;
      streamedCookieLogged = true;
    }
    report(error, path === undefined ? {} : { path });
  }

  /** Persists a request's messages; a failure is reported, never turned into a failed call. */
  async function save(messages: Messages<TagMap>, path?: string): Promise<void> {
    try {
      const dropped = await messages.update();
      if (dropped.length > 0)
        report(new MessagesDroppedError(dropped), path === undefined ? {} : { path });
    } catch (error) {
      storeFailed.add(messages);
      fail(error, path);
    }
  }

  /**
   * The middleware that stores what each procedure queued before its result is sent (it runs
   * after the procedure, also when it threw). Put it on the app's base procedure.
   */
  async function persist<TResult>(opts: {
    readonly ctx: MessagesContext<Tags>;
    readonly path: string;
    readonly next: () => Promise<TResult>;
  }): Promise<TResult> {
    const result = await opts.next();
    if (opts.ctx.messages) await save(opts.ctx.messages, opts.path);
    return result;
  }

  // Whether `live` signals every message: false when some may stay in the browser's cookie,
  // where only a consume after the request that added them finds them.
  const liveSignalsAll = storage.store !== undefined && storage.keepsInCookie !== true;
  const t = initTRPC.context<MessagesContext<Tags>>().create();
  const consume = t.procedure.use(persist).query(async ({ ctx, path }) => {
    if (!ctx.messages) {
      throw new TRPCError({
        code: 'INTERNAL_SERVER_ERROR',
        message:
          'trpc-messages: ctx.messages is missing; return { messages: messages.fromRequest(opts) } ' +
          'from createContext',
      });
    }
    let unread: Awaited<ReturnType<Messages<Tags>['consume']>> = [];
    try {
      unread = await ctx.messages.consume();
    } catch (error) {
      fail(error, path);
    }
    return { messages: unread, levels: DEFAULT_LEVELS, liveSignalsAll };
  });
  const consumeProcedures = new WeakSet<object>([consume]);

  /**
   * Tells the caller, as it happens, that messages were added for it anywhere (another request,
   * a job, another instance sharing the store); the client then consumes them. Only a consume
   * hands messages over, in a response of its own, so none is lost with a dropped stream and none
   * arrives twice; on a (re)connect, messages already waiting are signalled at once.
   */
  const live = t.procedure.subscription(async function* ({ ctx, path, signal }) {
    const store = storage.store;
    if (!store || !ctx.messages) {
      throw new TRPCError({
        code: 'PRECONDITION_FAILED',
        message: store
          ? 'trpc-messages: ctx.messages is missing; return { messages: messages.fromRequest(opts) } from createContext'
          : 'trpc-messages: live messages need a server store; use serverStorage() or fallbackStorage()',
      });
    }
    const keys = ctx.messages.readers().map(recipientKey);
    let waiting = false;
    let wake: (() => void) | undefined;
    const stops = keys.map((key) =>
      store.watch(key, () => {
        waiting = true;
        wake?.();
      }),
    );
    const stopped = new Promise<void>((resolve) => {
      if (signal?.aborted) resolve();
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    try {
      try {
        const held = await Promise.all(keys.map((key) => store.peek(key)));
        waiting = held.some((messages) => messages.length > 0);
      } catch (error) {
        report(error, { path }); // the client's own consumes will find them
      }
      while (!signal?.aborted) {
        if (waiting) {
          waiting = false;
          yield { waiting: true } as const;
          continue;
        }
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), stopped]);
      }
    } finally {
      for (const stop of stops) stop();
    }
  });

  return {
    /** The storage messages are kept in. */
    storage,

    /** One request's messages, for `createContext`: `{ messages: messages.fromRequest(opts) }`. */
    fromRequest(
      opts: NodeRequestOptions | FetchRequestOptions,
      request: RequestMessagesOptions = {},
    ): Messages<Tags> {
      const exchange =
        'resHeaders' in opts
          ? fetchExchange(opts.req, opts.resHeaders)
          : nodeExchange(opts.req, opts.res);
      const info = opts.info;
      // Streamed batches and subscriptions send their headers before the procedures run.
      const headersFirst = info?.accept === 'application/jsonl' || info?.type === 'subscription';
      const consumes =
        info?.calls.some(
          (call) => call.procedure !== null && consumeProcedures.has(call.procedure),
        ) ?? false;
      if (consumes) exchange.setHeader('cache-control', 'no-store');
      const messages = new Messages<Tags>(
        // The Toaster consumes on mount: a session given then is shared by the page's next
        // requests, even concurrent ones.
        storage.open(exchange, {
          headersFirst,
          startSession: consumes,
          userId: request.userId === undefined ? undefined : String(request.userId),
          onError: reportRecovered,
        }),
        info?.type === 'subscription'
          ? {
              ...messageOptions,
              // A subscription's work outlives its middleware: persist each change as made.
              eager: true,
              onError: (error) => {
                storeFailed.add(messages);
                const path = info.calls[0]?.path;
                try {
                  fail(error, path);
                } catch (thrown) {
                  // No call is left to fail: the subscription's stream is under way.
                  report(thrown, path === undefined ? {} : { path });
                }
              },
            }
          : messageOptions,
      );
      requests.set(messages, { exchange, noStore: consumes });
      // The commonest mistake, made visible: messages queued but never persisted.
      if ('res' in opts && !production) {
        opts.res.once('finish', () => {
          if (!messages.unsaved || storeFailed.has(messages) || persistMissingWarned) return;
          persistMissingWarned = true;
          console.warn(
            'trpc-messages: a request queued messages that were never stored; add the persist ' +
              'middleware to your base procedure: t.procedure.use(messages.persist)',
          );
        });
      }
      return messages;
    },

    persist,

    /**
     * The `messages` router: `consume` returns the unread messages and removes them; `live`
     * signals new ones as they are added (a subscription, for `httpSubscriptionLink`).
     */
    router: t.router({ consume, live }),

    /**
     * Messages for a recipient, from outside any request (a background job, a webhook, another
     * service): `await messages.to(recipient).info('Your export is ready.')`. Take the recipient
     * from a request with `ctx.messages.recipient()`, or name a user: `{ userId }`.
     */
    to(recipient: Recipient): RecipientMessages<Tags> {
      if (!storage.store) {
        throw new Error(
          'trpc-messages: the cookie storage keeps messages in the browser; use serverStorage() ' +
            'or fallbackStorage() to send messages from outside a request',
        );
      }
      return sendTo<Tags>(storage.store, recipient, messageOptions);
    },

    /**
     * Wraps the app's `responseMeta` (if any) so the messages cookie survives the node adapters,
     * which replace a response's Set-Cookie headers with those `responseMeta` returns, and so a
     * consume is never cached.
     */
    responseMeta<TOptions extends { readonly ctx?: unknown }>(
      app?: (opts: TOptions) => ResponseMeta,
    ): (opts: TOptions) => ResponseMeta {
      return (opts) => {
        const meta = app?.(opts) ?? {};
        const ctx = opts.ctx as MessagesContext<Tags> | undefined;
        const request = ctx?.messages ? requests.get(ctx.messages) : undefined;
        if (!request || !meta.headers) return meta;
        const headers = new Headers(
          meta.headers instanceof Headers ? meta.headers : toHeaderPairs(meta.headers),
        );
        const own = headers.getSetCookie();
        if (own.length > 0) {
          for (const cookie of request.exchange.cookiesToRepeat()) {
            if (!own.includes(cookie)) headers.append('set-cookie', cookie);
          }
        }
        // fromRequest already made the response no-store: the app's Cache-Control must neither
        // replace that (node adapters) nor be appended to it (fetch adapter).
        if (request.noStore) headers.delete('cache-control');
        return { ...meta, headers };
      };
    },
  };
}

/** What `createMessages` returns. */
export type MessagesKit<Tags extends TagMap = DefaultTags> = ReturnType<
  typeof createMessages<Tags>
>;

function toHeaderPairs(
  headers: Record<string, string | string[] | undefined>,
): Array<[string, string]> {
  return Object.entries(headers).flatMap(([name, value]) =>
    value === undefined
      ? []
      : (Array.isArray(value) ? value : [value]).map((v): [string, string] => [name, v]),
  );
}
