import type { AnyRouter } from '@trpc/server';
import type { Catalog, DefinedCatalog } from '../../shared/catalog.js';
import type { DefaultTags, TagMap } from '../../shared/tags.js';
import { type Secret, Signer } from '../crypto/signer.js';
import { DEFAULT_LEASE_MS, type MessagesOptions } from '../messages/messages.js';
import { type RecipientMessages, sendTo } from '../messages/send-to.js';
import { positiveInteger } from '../runtime/positive-integer.js';
import type { MessageStorage, Recipient } from '../storage/backend.js';
import type { DropEvent } from '../storage/message-store.js';
import { serverStorage } from '../storage/server-storage.js';
import { processMemoryStore } from '../stores/memory/memory-store.js';
import { type ActionMaker, createActionMaker, createActionSigner } from './actions.js';
import { createFromRequest } from './from-request.js';
import { createMessagesRouter } from './messages-router.js';
import { createPersistence } from './persist.js';
import { type ErrorReporter, Reporter } from './reporter.js';
import { createRequireAction } from './require-action.js';
import { wrapResponseMeta } from './response-meta.js';

/** Settings of the messages framework for an app. */
export interface CreateMessagesOptions<Tags extends TagMap> {
  /** Where messages are kept (default `serverStorage()`: memory store + session cookie). */
  readonly storage?: MessageStorage;
  /** The default minimum level stored (default INFO); a request can change its own. */
  readonly level?: number;
  /** The app's tag map (`defineTags`), for custom levels and renamed tags. */
  readonly tags?: Tags;
  /**
   * The most a message may weigh, in bytes (default 8192): the UTF-8 of its text or key and
   * parameters, extra tags, key and action. A message over it is truncated to fit (or loses its
   * action), and `onError` is told.
   */
  readonly maxMessageBytes?: number;
  /**
   * The app's catalog (`defineCatalog`), for messages given by key and parameters: the client
   * renders them in its language, and the catalog's text is theirs for a client that cannot.
   */
  readonly catalog?: DefinedCatalog<Catalog>;
  /**
   * The secret that signs messages' actions, and the default storage's session cookie (default:
   * MESSAGES_SECRET; a random one per process in development). The same on every instance. A
   * storage passed in keeps its own.
   */
  readonly secret?: Secret;
  /**
   * Told, with the call's path, when messages could not be stored or read (a store that is down,
   * a cookie over its budget) and when a message's input was changed or dropped (a
   * `MessageInputError`: over `maxMessageBytes`, a level that is not an integer…); the request
   * itself goes on. Also told, with no path, of failures outside any call: a store's lost
   * connection, once as it goes (a `RedisOutageError`) and once as it is back. Default:
   * console.error (one line for the kit's own notices).
   */
  readonly onError?: ErrorReporter;
  /**
   * Told of every message the store let go unread (over `maxMessagesPerKey`, evicted, expired).
   * Default: counted, and reported every ten seconds at most as one `MessagesDroppedError`, to
   * `onError` (or logged, once for every kit on the store).
   */
  readonly onDrop?: (event: DropEvent) => void;
  /**
   * How long messages handed to a browser tab are leased to it, in ms (default 5000): no other
   * tab or device is handed them meanwhile, and they come again once it ends unless the tab
   * acknowledged them.
   */
  readonly leaseMs?: number;
}

/**
 * Sets up the messages framework for an app, once: `fromRequest` for `createContext`, the
 * `persist` middleware for the app's base procedure, the `messages` router, and a `responseMeta`
 * for apps that set cookies in their own.
 */
export function createMessages<const Tags extends TagMap = DefaultTags>(
  options: CreateMessagesOptions<Tags> = {},
) {
  // The kit's secret signs the default storage's session cookie too.
  const storage =
    options.storage ??
    serverStorage(options.secret === undefined ? {} : { secret: options.secret });
  const reporter = new Reporter(options.onError);
  const leaseMs = positiveInteger(options.leaseMs ?? DEFAULT_LEASE_MS, 'leaseMs');
  reporter.watchDrops(storage.store, options.onDrop);
  reporter.watchErrors(storage.store);
  const actionSigner = new Signer(options.secret, 'trpc-messages.action');
  // The same for every request: built once.
  const messageOptions: MessagesOptions<Tags> = {
    ...(options.level === undefined ? {} : { level: options.level }),
    ...(options.tags === undefined ? {} : { tags: options.tags }),
    ...(options.maxMessageBytes === undefined ? {} : { maxMessageBytes: options.maxMessageBytes }),
    ...(options.catalog === undefined ? {} : { catalog: options.catalog }),
    signAction: createActionSigner(actionSigner),
  };
  // Messages sent from outside a request report as requests do, with no path.
  const jobOptions: MessagesOptions<Tags> = {
    ...messageOptions,
    onError: (error) => reporter.report(error),
  };
  // Where an action's token is recorded once used: the storage's store, or, for the cookie
  // storage, which has none, this process's memory (so a token is used once per instance).
  const usedTokens = storage.store ?? processMemoryStore();
  const persistence = createPersistence<Tags>(reporter, leaseMs, {
    signer: actionSigner,
    usedTokens,
  });
  const { router, consume } = createMessagesRouter<Tags>({
    storage,
    persistence,
    reporter,
    leaseMs,
  });

  return {
    /** The storage messages are kept in. */
    storage,

    /** How long messages handed to a browser tab are leased to it, in ms (`leaseMs`). */
    leaseMs,

    /** One request's messages, for `createContext`: `{ messages: messages.fromRequest(opts) }`. */
    fromRequest: createFromRequest<Tags>({
      storage,
      messageOptions,
      reporter,
      consume,
      leaseMs,
    }),

    /**
     * The middleware that stores what each procedure queued before its result is sent (it runs
     * after the procedure, also when it threw). Put it on the app's base procedure.
     */
    persist: persistence.persist,

    /**
     * The maker of messages' actions, typed by the app's router (a wrong path or input does not
     * compile): `const action = messages.actions<typeof appRouter>()`, then
     * `ctx.messages.warning('Task deleted.', { action: action({ label: 'Undo', path:
     * 'tasks.restore', input: { id } }) })`. The Toaster shows it as the toast's button.
     */
    // Without the router's type no path is accepted (rather than any).
    actions<TRouter extends AnyRouter = never>(): ActionMaker<TRouter> {
      return createActionMaker<TRouter>(options.catalog?.templates);
    },

    /**
     * The middleware of a mutation that runs only as a message's action (an Undo that must not
     * be called with any other input): a call that is not one the server offered is refused.
     */
    requireAction: createRequireAction<Tags>(),

    /**
     * The `messages` router: `consume` hands over the unread messages, `ack` acknowledges those
     * shown, `live` signals new ones as they are added (a subscription, for
     * `httpSubscriptionLink`).
     */
    router,

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
      return sendTo<Tags>(storage.store, recipient, jobOptions);
    },

    /**
     * Wraps the app's `responseMeta` (if any) so the messages cookie survives the node adapters,
     * which replace a response's Set-Cookie headers with those `responseMeta` returns, and so a
     * consume is never cached.
     */
    responseMeta: wrapResponseMeta,
  };
}

/** What `createMessages` returns. */
export type MessagesKit<Tags extends TagMap = DefaultTags> = ReturnType<
  typeof createMessages<Tags>
>;
