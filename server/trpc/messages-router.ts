import { initTRPC, TRPCError } from '@trpc/server';
import { DEFAULT_LEVELS } from '../../shared/levels.js';
import type { Message } from '../../shared/message.js';
import type { TagMap } from '../../shared/tags.js';
import type { MessageStorage } from '../storage/backend.js';
import { liveSignals } from './live.js';
import { type MessagesContext, MISSING_MESSAGES } from './messages-context.js';
import type { Persistence } from './persist.js';
import type { Reporter } from './reporter.js';

/** What the `messages` router needs of its kit. */
export interface MessagesRouterSetup<Tags extends TagMap> {
  readonly storage: MessageStorage;
  readonly persistence: Persistence<Tags>;
  readonly reporter: Reporter;
  readonly leaseMs: number;
}

/**
 * The `messages` router of a kit: `consume` hands over the unread messages, `ack` acknowledges
 * those shown, and `live` signals new ones as they are added (a subscription, for
 * `httpSubscriptionLink`).
 */
export function createMessagesRouter<Tags extends TagMap>({
  storage,
  persistence,
  reporter,
  leaseMs,
}: MessagesRouterSetup<Tags>) {
  // Whether `live` signals every message: false when some may stay in the browser's cookie,
  // where only a consume after the request that added them finds them.
  const liveSignalsAll = storage.store !== undefined && storage.keepsInCookie !== true;
  const t = initTRPC.context<MessagesContext<Tags>>().create();

  const consume = t.procedure.use(persistence.persist).query(async ({ ctx, path }) => {
    if (!ctx.messages)
      throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: MISSING_MESSAGES });
    let unread: Message[] = [];
    try {
      unread = await ctx.messages.consume();
    } catch (error) {
      reporter.fail(ctx.messages, error, path);
    }
    return { messages: unread, levels: DEFAULT_LEVELS, liveSignalsAll, leaseMs };
  });

  /**
   * Acknowledges the messages the client header names (see `CLIENT_HEADER`): they are removed
   * for good. For a tab that has no other request to carry its acknowledgements, such as a page
   * being hidden or closed. It takes no input, so a body-less `fetch(…, { keepalive: true })`
   * reaches it whatever the app's transformer.
   */
  const ack = t.procedure.use(persistence.persist).mutation(({ ctx }) => {
    if (!ctx.messages)
      throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: MISSING_MESSAGES });
  });

  /**
   * Tells the caller, as it happens, that messages were added for it anywhere (another request,
   * a job, another instance sharing the store); the client then consumes them. Only a consume
   * hands messages over, in a response of its own, so none is lost with a dropped stream and none
   * arrives twice; on a (re)connect, messages already waiting are signalled at once.
   */
  const live = t.procedure.subscription(({ ctx, path, signal }) => {
    const store = storage.store;
    if (!store || !ctx.messages) {
      throw new TRPCError({
        code: 'PRECONDITION_FAILED',
        message: store
          ? MISSING_MESSAGES
          : 'trpc-messages: live messages need a server store; use serverStorage() or fallbackStorage()',
      });
    }
    return liveSignals(store, ctx.messages.readers(), reporter, path, signal);
  });

  return { router: t.router({ consume, ack, live }), consume };
}
