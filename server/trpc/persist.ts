import { TRPCError } from '@trpc/server';
import type { TagMap } from '../../shared/tags.js';
import type { Messages } from '../storage/messages.js';
import { MessagesDroppedError } from '../storage/messages-dropped-error.js';
import type { Signer } from '../storage/signer.js';
import { checkAction } from './actions.js';
import { writeInline } from './inline-delivery.js';
import type { MessagesContext } from './messages-context.js';
import type { Reporter } from './reporter.js';
import { requestStates } from './request-state.js';

/** The `persist` middleware, and the save it runs, for one kit. */
export interface Persistence<Tags extends TagMap> {
  /**
   * The middleware that stores what each procedure queued before its result is sent (it runs
   * after the procedure, also when it threw). Put it on the app's base procedure.
   */
  persist<TResult>(opts: {
    readonly ctx: MessagesContext<Tags>;
    readonly path: string;
    readonly getRawInput: () => Promise<unknown>;
    readonly next: () => Promise<TResult>;
  }): Promise<TResult>;
}

/**
 * Builds the `persist` middleware: a failure to store is reported, never a failed call; what the
 * response should carry (inline delivery) goes on it. A call that claims to run a message's
 * action is checked against `actionSigner` first, and refused when it is not what was offered.
 */
export function createPersistence<Tags extends TagMap>(
  reporter: Reporter,
  leaseMs: number,
  actionSigner: Signer,
): Persistence<Tags> {
  async function save(messages: Messages<TagMap>, path: string): Promise<void> {
    const request = requestStates.get(messages);
    if (messages.inline && request?.exchange.gone) messages.stopInline();
    try {
      const dropped = await messages.update();
      if (dropped.length > 0) {
        const error = new MessagesDroppedError(
          { 'cookie-full': dropped.length },
          { messages: dropped },
        );
        reporter.report(error, path);
      }
    } catch (error) {
      reporter.fail(messages, error, path);
    }
    if (request && messages.inline) writeInline(request.exchange, messages, leaseMs);
  }
  return {
    async persist(opts) {
      const { messages } = opts.ctx;
      const request = messages ? requestStates.get(messages) : undefined;
      if (messages && request && request.actions.length > 0) {
        const check = checkAction(
          request.actions,
          opts.path,
          await opts.getRawInput(),
          actionSigner,
        );
        if (check.kind === 'refused') {
          await save(messages, opts.path);
          throw new TRPCError({ code: 'BAD_REQUEST', message: check.reason });
        }
        if (check.kind === 'verified') request.verifiedActions.add(opts.path);
      }
      const result = await opts.next();
      if (messages) await save(messages, opts.path);
      return result;
    },
  };
}
