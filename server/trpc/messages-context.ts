import type { DefaultTags, TagMap } from '../../shared/tags.js';
import type { Messages } from '../messages/messages.js';

/** The context the kit's procedures and middleware need: the request's messages. */
export interface MessagesContext<Tags extends TagMap = DefaultTags> {
  readonly messages?: Messages<Tags> | undefined;
}

/** The error of a procedure whose context lacks `messages`, saying how to give it. */
export const MISSING_MESSAGES =
  'trpc-messages: ctx.messages is missing; return { messages: messages.fromRequest(opts) } from createContext';
