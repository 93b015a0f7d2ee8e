import {
  focusManager,
  onlineManager,
  type QueryClient,
  useQueryClient,
} from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import type { Message } from '../shared/message.js';
import type { ConsumeTrigger, MessagesClient } from './message-consumer.js';
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

/** Fires when any mutation of the query client settles, whichever integration ran it. */
function mutationSettled(queryClient: QueryClient): ConsumeTrigger {
  return (consume) =>
    queryClient.getMutationCache().subscribe((event) => {
      if (event.type === 'updated' && ['success', 'error'].includes(event.action.type)) consume();
    });
}

const windowFocused: ConsumeTrigger = (consume) =>
  focusManager.subscribe((focused) => {
    if (focused) consume();
  });

const reconnected: ConsumeTrigger = (consume) =>
  onlineManager.subscribe((online) => {
    if (online) consume();
  });

/**
 * The messages for the app's user, headless: fetched with `messages.consume` on mount, after
 * every mutation settles (success or error), on window focus and on reconnect. `client` is the
 * app's tRPC client; call it inside the QueryClientProvider.
 */
export function useMessages(client: MessagesClient): UseMessagesResult {
  const queryClient = useQueryClient();
  const { list, consumer } = messagesFor(client);
  useEffect(
    () => consumer.watch([mutationSettled(queryClient), windowFocused, reconnected]),
    [consumer, queryClient],
  );
  const messages = useSyncExternalStore(list.subscribe, list.getSnapshot, list.getSnapshot);
  return { messages, dismiss: list.dismiss, consume: consumer.consume };
}
