import { MessageInputError } from './message-input-error.js';
import { MessagesDroppedError } from './messages-dropped-error.js';
import { RedisOutageError } from './redis-outage.js';

/**
 * The default report of what went wrong with messages: the kit's own notices (bad input, drops,
 * a Redis outage as it starts and ends), which say what happened and what to do, as one line
 * with the call's path; anything else (a store that failed a request) with its stack.
 */
export function logError(error: unknown, where: { readonly path?: string } = {}): void {
  if (
    error instanceof MessageInputError ||
    error instanceof MessagesDroppedError ||
    error instanceof RedisOutageError
  ) {
    console.error(where.path === undefined ? error.message : `${error.message} (${where.path})`);
    return;
  }
  console.error('trpc-messages:', error);
}
