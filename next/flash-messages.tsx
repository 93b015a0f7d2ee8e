import type { Messages, RequestMessagesOptions } from '../server/index.js';
import type { TagMap } from '../shared/tags.js';
import type { NextMessagesKit } from './next-messages-kit.js';
import { PaintedMessages } from './painted-messages.js';
import { takePageMessages } from './take-page-messages.js';

/** Props of `<FlashMessages />`. */
export interface FlashMessagesProps<Tags extends TagMap> {
  /** The app's kit, `createMessages()`. */
  readonly messages: NextMessagesKit<Tags>;
  /** The page's own messages, from `pageMessages()`, when it adds some for this paint. */
  readonly page?: Messages<Tags>;
  /** The signed-in user's id, if any (see `fromRequest`), when there is no `page`. */
  readonly userId?: RequestMessagesOptions['userId'];
}

/**
 * A server component that puts the visitor's waiting messages (and the page's own, see `page`)
 * into the page's first paint (its
 * HTML, or the RSC payload of a navigation or a Server Action), for the Toaster to show with no
 * request. Render it in each page that should show them: layouts do not render again on
 * navigation.
 */
export async function FlashMessages<Tags extends TagMap>({
  messages,
  page,
  userId,
}: FlashMessagesProps<Tags>) {
  const taken = await takePageMessages(messages, {
    ...(page === undefined ? {} : { page }),
    ...(userId === undefined ? {} : { userId }),
  });
  return <PaintedMessages messages={taken.messages} leaseMs={taken.leaseMs} />;
}
