import { useEffect, useLayoutEffect } from 'react';
import type { MessageAction } from '../../shared/message.js';
import type { ListedMessage } from '../core/message-list.js';
import type { MessagesClient } from '../core/messages-client.js';
import { useMessageFeed } from './use-message-feed.js';

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
  const { shown, ...result } = useMessageFeed(client, options);
  // The component renders what it is given: on screen as this commit lands, each entry for
  // every message it stands for.
  useIsomorphicLayoutEffect(
    () => shown(result.messages.flatMap((m) => m.ids)),
    [shown, result.messages],
  );
  return result;
}

/** useLayoutEffect in a browser, useEffect where there is no DOM (server rendering). */
export const useIsomorphicLayoutEffect =
  typeof document === 'undefined' ? useEffect : useLayoutEffect;
