import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { WatchOptions } from '../core/consume-policy.js';
import type { MessagesClient } from '../core/messages-client.js';
import { type ClientMessages, messagesFor } from '../trpc/messages-for.js';

/**
 * The messages of `client` (see `messagesFor`), watched while the component is mounted: fetched
 * on mount and on the events the policy names. Call it inside the QueryClientProvider.
 */
export function useClientMessages(
  client: MessagesClient,
  { live }: Omit<WatchOptions, 'queryClient'> = {},
): ClientMessages {
  const queryClient = useQueryClient();
  const messages = messagesFor(client);
  useEffect(() => messages.watch({ queryClient, live }), [messages, queryClient, live]);
  return messages;
}
