import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { mutationSettled, reconnected, windowFocused } from '../core/consume-triggers.js';
import type { MessagesClient } from '../core/messages-client.js';
import { pageInbox } from '../core/page-inbox.js';
import { messagesFor } from '../trpc/messages-for.js';
import type { UseMessagesOptions, UseMessagesResult } from './use-messages.js';

/** What `useMessageFeed` gives: `useMessages`'s result, and the report of what went on screen. */
export interface MessageFeed extends UseMessagesResult {
  /** Tells the kit these messages are on screen (in the DOM): they can be acknowledged. */
  readonly shown: (ids: readonly string[]) => void;
}

/**
 * The messages of `client`, kept coming (see `useMessages`), for a component that reports on its
 * own when each is on screen: the Toaster, whose toasts reach the DOM after it hands them over.
 */
export function useMessageFeed(
  client: MessagesClient,
  options: UseMessagesOptions = {},
): MessageFeed {
  const queryClient = useQueryClient();
  const { list, consumer, delivery, receive, runAction } = messagesFor(client);
  const live = options.live ?? false;
  // What the server put into the page itself (first paint) comes in as a consume's answer would.
  useEffect(() => pageInbox.deliverTo(receive), [receive]);
  useEffect(() => {
    if (delivery) {
      const { tab } = delivery;
      return consumer.watch([
        windowFocused,
        reconnected,
        // A mutation's messages come on its response; the link asks for a consume when not.
        delivery.consumeWanted,
        // A live signal another tab heard names messages leased to this one.
        (consume) => tab.onConsumeAsked(consume),
        // One live stream per browser, in the tab the user looked at last.
        ...(live ? [(consume: () => void) => tab.lead(() => consumer.live(consume))] : []),
      ]);
    }
    return consumer.watch([
      windowFocused,
      reconnected,
      ...(live
        ? // Signalled as they are added, messages need no consume after each mutation, unless
          // the server keeps some in the cookie (fallbackStorage), out of the stream's sight.
          [consumer.live, consumer.unlessLiveSignalsAll(mutationSettled(queryClient))]
        : [mutationSettled(queryClient)]),
    ]);
  }, [consumer, delivery, queryClient, live]);
  const messages = useSyncExternalStore(list.subscribe, list.getSnapshot, list.getSnapshot);
  return {
    messages,
    dismiss: list.dismiss,
    consume: consumer.consume,
    runAction,
    shown: list.shown,
  };
}
