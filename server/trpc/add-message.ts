import type { TagMap } from '../../shared/tags.js';
import { type AddOptions, Messages, type MessageText } from '../messages/messages.js';

/** Thrown by `addMessage` when the context it was given has no messages framework. */
export class MessageFailure extends Error {
  constructor() {
    super(
      'trpc-messages: this context has no messages; return { messages: messages.fromRequest(opts) } ' +
        'from createContext, or pass { failSilently: true }',
    );
    this.name = 'MessageFailure';
  }
}

/** Options of `addMessage`. */
export interface AddMessageOptions extends AddOptions {
  /** Do nothing, rather than throw MessageFailure, when the context has no messages. */
  readonly failSilently?: boolean;
}

/**
 * Django's `messages.add_message(request, …)`: adds a message through whatever context code
 * holds, which may lack the framework (shared helpers, code also run outside tRPC). Returns
 * whether a message framework was there.
 */
export function addMessage(
  ctx: unknown,
  level: number,
  message: MessageText,
  options: AddMessageOptions = {},
): boolean {
  const messages =
    typeof ctx === 'object' && ctx !== null && 'messages' in ctx ? ctx.messages : undefined;
  if (!(messages instanceof Messages)) {
    if (options.failSilently) return false;
    throw new MessageFailure();
  }
  const { failSilently: _, ...addOptions } = options;
  // Any level is accepted here, as in Django: the caller's tag map is unknown to this function.
  (messages as Messages<TagMap>).add(level, message, addOptions);
  return true;
}
