import { revalidateTag } from 'next/cache.js';
import { cookies, headers } from 'next/headers.js';
import type { Messages, RequestMessagesOptions } from '../server/index.js';
import { nextExchange } from '../server/internal.js';
import type { TagMap } from '../shared/tags.js';
import type { NextMessagesKit } from './next-messages-kit.js';

// A tag no cache entry carries: revalidating it re-renders the page and purges nothing.
const REFRESH_TAG = 'trpc-messages';

/**
 * One Server Action's messages: the session cookie a first message starts is set through
 * `cookies()` from `next/headers`. Call `settleAction` once the action's work is done (or use
 * `withActionMessages` or `nextActionCaller`, which do).
 */
export async function actionMessages<Tags extends TagMap>(
  kit: NextMessagesKit<Tags>,
  request?: RequestMessagesOptions,
): Promise<Messages<Tags>> {
  const exchange = nextExchange(await headers(), await cookies(), {
    writable: true,
    method: 'POST',
  });
  return kit.fromRequest({ exchange }, request);
}

/**
 * Ends a Server Action's messages: stores what it queued, then, if messages wait for the
 * visitor, has Next.js render the page again in the action's response (as an action that sets a
 * cookie does), so the page's `<FlashMessages />` hands them to its Toaster with no request more.
 * A failure to store is logged, never the action's failure.
 */
export async function settleAction(messages: Messages<TagMap>): Promise<void> {
  try {
    await messages.update();
    if ((await messages.count()) > 0) revalidateTag(REFRESH_TAG);
  } catch (error) {
    console.error('trpc-messages: a Server Action could not store its messages:', error);
  }
}

/**
 * Runs a plain Server Action's `work` with its messages, and settles them after, also when it
 * threw (a `redirect()` throws): `await withActionMessages(messages, (m) => m.success('Saved.'))`.
 */
export async function withActionMessages<Tags extends TagMap, T>(
  kit: NextMessagesKit<Tags>,
  work: (messages: Messages<Tags>) => T | Promise<T>,
  request?: RequestMessagesOptions,
): Promise<T> {
  const messages = await actionMessages(kit, request);
  try {
    return await work(messages);
  } finally {
    await settleAction(messages);
  }
}
