import { cookies, headers } from 'next/headers.js';
import type { Messages, RequestMessagesOptions } from '../server/index.js';
import { nextExchange } from '../server/internal.js';
import { formatClientHeader } from '../shared/delivery.js';
import type { Message } from '../shared/message.js';
import type { TagMap } from '../shared/tags.js';
import type { NextMessagesKit } from './next-messages-kit.js';

/** The messages a page takes for its first paint, and how long they are leased to it. */
export interface PageDelivery {
  readonly messages: readonly Message[];
  readonly leaseMs: number;
}

// The holder every page render leases to: a render cannot know its browser tab (the tab's id
// lives in its sessionStorage, which a document request does not carry). One holder for all
// renders, so a render whose payload is thrown away (a prefetch, a navigation superseded by
// another, a dev recompile's refresh) never keeps its messages from the next render; the
// browser's shown ids hold back a message two renders of one browser both carry.
const PAGE_HOLDER = 'first-paint';

/**
 * The messages of a page being rendered (a server component), read-only: nothing is written to
 * the browser. A page adds to them (`page.info('Welcome.')`) and hands them to
 * `<FlashMessages page={page} />`, which puts them into the same paint. A message a render adds
 * is for that paint (a new visitor's is kept under a session the browser never gets, until the
 * store's TTL).
 */
export async function pageMessages<Tags extends TagMap>(
  kit: NextMessagesKit<Tags>,
  userId?: RequestMessagesOptions['userId'],
): Promise<Messages<Tags>> {
  const exchange = nextExchange(await headers(), await cookies(), {
    writable: false,
    method: 'GET',
    // The page speaks for itself as a client would: it names its holder.
    clientHeader: formatClientHeader({ tab: PAGE_HOLDER, acks: [] }),
  });
  return kit.fromRequest({ exchange }, userId === undefined ? {} : { userId });
}

/** Whose messages a page takes: its own `pageMessages()`, or the signed-in user's. */
export interface PageOptions<Tags extends TagMap> {
  /** The messages the page added to, from `pageMessages()` (which names the user itself). */
  readonly page?: Messages<Tags>;
  /** The signed-in user's id, if any (see `fromRequest`), when there is no `page`. */
  readonly userId?: RequestMessagesOptions['userId'];
}

/**
 * Takes the visitor's waiting messages for a page being rendered, and those the page added (a
 * `pageMessages()` it passes in): they are leased to page renders, never removed and no cookie
 * written. The page's Toaster acknowledges them once shown; if no page reaches the screen, the
 * lease ends and the tab's own consume takes them.
 */
export async function takePageMessages<Tags extends TagMap>(
  kit: NextMessagesKit<Tags>,
  options: PageOptions<Tags> = {},
): Promise<PageDelivery> {
  const { leaseMs } = kit;
  try {
    const messages = options.page ?? (await pageMessages(kit, options.userId));
    return { messages: await messages.consume(), leaseMs };
  } catch (error) {
    // A store that is down must not fail the page: its messages wait for a later consume.
    console.error('trpc-messages: a page could not read its messages:', error);
    return { messages: [], leaseMs };
  }
}
