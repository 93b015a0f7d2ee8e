import { useSyncExternalStore } from 'react';
import type { MessageAction } from '../../shared/message.js';
import type { WatchOptions } from '../core/consume-policy.js';
import type { ListedMessage } from '../core/message-list.js';
import type { MessagesClient } from '../core/messages-client.js';
import { useClientMessages } from './use-client-messages.js';
import { useIsomorphicLayoutEffect } from './use-isomorphic-layout-effect.js';

/** What `useMessages` gives a component. */
export interface UseMessagesResult {
  /**
   * The messages to show, oldest first, each once: identical ones as one entry with a `count`,
   * a keyed one in the place of the entry it replaces (render each by its stable `id`).
   */
  readonly messages: readonly ListedMessage[];
  /** Stops showing an entry (by its `id`). */
  readonly dismiss: (id: string) => void;
  /** Fetches new messages now (they are also fetched on their own, see `useMessages`). */
  readonly consume: () => Promise<void>;
  /**
   * Calls a message's `action` (its button: Undo), as the server signed it; its messages are
   * then shown like any others. Resolves with the mutation's result, rejects as it fails.
   */
  readonly runAction: (action: MessageAction) => Promise<unknown>;
}

/** How `useMessages` gets messages: `live`, as they are added on the server. */
export type UseMessagesOptions = Omit<WatchOptions, 'queryClient'>;

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
  const { list, consumer, runAction } = useClientMessages(client, options);
  const messages = useSyncExternalStore(list.subscribe, list.getSnapshot, list.getSnapshot);
  // The component renders what it is given: on screen as this commit lands, each entry for
  // every message it stands for.
  useIsomorphicLayoutEffect(() => list.shown(messages.flatMap((m) => m.ids)), [list, messages]);
  return { messages, dismiss: list.dismiss, consume: consumer.consume, runAction };
}
