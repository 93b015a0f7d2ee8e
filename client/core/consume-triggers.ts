import { focusManager, onlineManager, type QueryClient } from '@tanstack/react-query';

/** The events that should fetch new messages, each a subscription that returns its stop. */
export type ConsumeTrigger = (consume: () => void) => () => void;

/** Fires when any mutation of the query client settles, success or error, whichever integration ran it. */
export function mutationSettled(queryClient: QueryClient): ConsumeTrigger {
  return (consume) =>
    queryClient.getMutationCache().subscribe((event) => {
      if (event.type === 'updated' && ['success', 'error'].includes(event.action.type)) consume();
    });
}

/** Fires when the window regains focus. */
export const windowFocused: ConsumeTrigger = (consume) =>
  focusManager.subscribe((focused) => {
    if (focused) consume();
  });

/** Fires when the browser comes back online. */
export const reconnected: ConsumeTrigger = (consume) =>
  onlineManager.subscribe((online) => {
    if (online) consume();
  });
