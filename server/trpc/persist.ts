import type { TagMap } from '../../shared/tags.js';
import type { Messages } from '../storage/messages.js';
import { writeInline } from './inline-delivery.js';
import type { MessagesContext } from './messages-context.js';
import { MessagesDroppedError, type Reporter } from './reporter.js';
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
    readonly next: () => Promise<TResult>;
  }): Promise<TResult>;
}

/**
 * Builds the `persist` middleware: a failure to store is reported, never a failed call; what the
 * response should carry (inline delivery) goes on it.
 */
export function createPersistence<Tags extends TagMap>(
  reporter: Reporter,
  leaseMs: number,
): Persistence<Tags> {
  async function save(messages: Messages<TagMap>, path: string): Promise<void> {
    const request = requestStates.get(messages);
    if (messages.inline && request?.exchange.gone) messages.stopInline();
    try {
      const dropped = await messages.update();
      if (dropped.length > 0) reporter.report(new MessagesDroppedError(dropped), path);
    } catch (error) {
      reporter.fail(messages, error, path);
    }
    if (request && messages.inline) writeInline(request.exchange, messages, leaseMs);
  }
  return {
    async persist(opts) {
      const result = await opts.next();
      if (opts.ctx.messages) await save(opts.ctx.messages, opts.path);
      return result;
    },
  };
}
