import { isNotice } from './notice.js';

/**
 * The default report of what went wrong with messages: the kit's own notices (bad input, drops,
 * a Redis outage as it starts and ends), which say what happened and what to do, as one line
 * with the call's path; anything else (a store that failed a request) with its stack.
 */
export function logError(error: unknown, where: { readonly path?: string } = {}): void {
  if (isNotice(error)) {
    console.error(where.path === undefined ? error.message : `${error.message} (${where.path})`);
    return;
  }
  console.error('trpc-messages:', error);
}
