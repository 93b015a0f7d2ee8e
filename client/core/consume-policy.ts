import type { QueryClient } from '@tanstack/react-query';
import type { BrowserTab } from './browser-tab.js';
import {
  type ConsumeTrigger,
  mutationSettled,
  reconnected,
  windowFocused,
} from './consume-triggers.js';
import type { MessageConsumer } from './message-consumer.js';

/** What a client's `messagesLink` tells the policy: its tab, and when a consume is wanted. */
export interface LinkSignals {
  /** The browser tab the link names in its requests. */
  readonly tab: BrowserTab;
  /** Fires when a mutation's messages did not come on its response. */
  readonly consumeWanted: ConsumeTrigger;
}

/** How a client's messages are fetched while something shows them. */
export interface WatchOptions {
  /** The app's QueryClient: without the link, its mutations are what add messages. */
  readonly queryClient: QueryClient;
  /**
   * Receive messages as they are added on the server, over the `messages.live` subscription
   * (needs `httpSubscriptionLink` and a server store), instead of asking after each mutation
   * (still asked with fallbackStorage, whose cookie holds messages the stream cannot see).
   */
  readonly live?: boolean | undefined;
}

/**
 * The events that fetch a client's messages, besides the first fetch: the window's focus and
 * the network's return, always. With the link (`link`), a mutation whose response did not carry
 * its messages, another tab's ask (a live signal it heard names this tab), and when live, one
 * stream per browser, in the tab the user looked at last. Without it, every mutation that
 * settles; when live, the stream, and mutations only while the stream misses some messages.
 */
export function consumeTriggers(
  consumer: MessageConsumer,
  link: LinkSignals | undefined,
  { queryClient, live }: WatchOptions,
): ConsumeTrigger[] {
  const always = [windowFocused, reconnected];
  if (link) {
    const { tab } = link;
    const stream: ConsumeTrigger = (consume) => tab.lead(() => consumer.live(consume));
    return [...always, link.consumeWanted, tab.onConsumeAsked, ...(live ? [stream] : [])];
  }
  const mutations = mutationSettled(queryClient);
  // Signalled as they are added, messages need no consume after each mutation, unless the
  // server keeps some in the cookie (fallbackStorage), out of the stream's sight.
  return live
    ? [...always, consumer.live, consumer.unlessLiveSignalsAll(mutations)]
    : [...always, mutations];
}
