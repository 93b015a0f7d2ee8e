import { TRPCError } from '@trpc/server';
import type { TagMap } from '../../shared/tags.js';
import { type MessagesContext, MISSING_MESSAGES } from './messages-context.js';
import { requestStates } from './request-state.js';

/**
 * Builds the `requireAction` middleware: the procedure runs only as a message's action whose
 * signature the kit's middleware (`persist`, on the base procedure) verified for this call.
 */
export function createRequireAction<Tags extends TagMap>() {
  return function requireAction<TResult>(opts: {
    readonly ctx: MessagesContext<Tags>;
    readonly path: string;
    readonly next: () => Promise<TResult>;
  }): Promise<TResult> {
    const { messages } = opts.ctx;
    if (!messages)
      throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: MISSING_MESSAGES });
    if (!requestStates.get(messages)?.verifiedActions.has(opts.path)) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message:
          `trpc-messages: ${opts.path} runs only as the action of a message, and this call is ` +
          'not one the server offered (put messages.persist before requireAction, and call it ' +
          "from the Toaster's button)",
      });
    }
    return opts.next();
  };
}
