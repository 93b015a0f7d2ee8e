import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import type { Message } from '../shared/message.js';
import { mutationSettled, reconnected, windowFocused } from './consume-triggers.js';
import type { MessagesClient } from './message-consumer.js';
import { messagesFor } from './messages-for.js';

/** What `useMessages` gives a component. */
export interface UseMessagesResult {
  /** The messages to show, oldest first, each once. */
  readonly messages: readonly Message[];
  /** Stops showing a message. */
  readonly dismiss: (id: string) => void;
  /** Fetches new messages now (they are also fetched on their own, see `useMessages`). */
  readonly consume: () => Promise<void>;
}

/** How `useMessages` gets messages. */
export interface UseMessagesOptions {
  /**
   * Receive messages as they are added on the server, over the `messages.live` subscription
   * (needs `httpSubscriptionLink` and a server store), instead of asking after each mutation
   * (still asked with fallbackStorage, whose cookie holds messages the stream cannot see).
   */
  readonly live?: boolean;
}

/**
 * The messages for the app's user, headless: fetched with `messages.consume` on mount, on window
 * focus and on reconnect, and after every mutation settles (success or error) unless its
 * response carried them (`messagesLink`), or live. `client` is the app's tRPC client; call it
 * inside the QueryClientProvider.
 */
export function useMessages(
  client: MessagesClient,
  options: UseMessagesOptions = {},
): UseMessagesResult {
  const queryClient = useQueryClient();
  const { list, consumer, delivery } = messagesFor(client);
  const live = options.live ?? false;
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
  return { messages, dismiss: list.dismiss, consume: consumer.consume };
}
