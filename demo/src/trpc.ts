import { httpBatchLink, httpSubscriptionLink, splitLink, type TRPCLink } from '@trpc/client';
import { createTRPCReact } from '@trpc/react-query';
import { observable } from '@trpc/server/observable';
import { messagesLink } from 'trpc-messages/client';
import type { DemoRouter } from '../api/router.js';

/** The demo's typed tRPC hooks. */
export const trpc = createTRPCReact<DemoRouter>();

/** Whether the page asks the server to store DEBUG messages too (the switch). */
export const debugMessages = { on: false };

/**
 * Whether the page reloads the moment the next answer arrives, before reading it: Save and
 * reload sets it, so the save's answer, and the message it carries, are lost with the page, as
 * when a user leaves while a save is on its way.
 */
export const reloadOnAnswer = { on: false };

/**
 * Tells `onSettled` when each of the app's mutations has answered, however it was called: from
 * a hook, or from a toast's button (the Toaster calls a message's action through this client).
 * The kit's own mutations (acknowledgements) change no data and are left out.
 */
function afterMutations(onSettled: () => void): TRPCLink<DemoRouter> {
  return () =>
    ({ op, next }) => {
      if (op.type !== 'mutation' || op.path.startsWith('messages.')) return next(op);
      return observable((observer) =>
        next(op).subscribe({
          next: (value) => observer.next(value),
          error: (error) => {
            observer.error(error);
            onSettled();
          },
          complete: () => {
            observer.complete();
            onSettled();
          },
        }),
      );
    };
}

/**
 * The demo's tRPC client: batched HTTP through the kit's link (each response brings its own
 * messages), and server-sent events for subscriptions (the live stream). `onMutated` runs after
 * every mutation of the app: the page refetches its tasks then.
 */
export function createClient(onMutated: () => void) {
  return trpc.createClient({
    links: [
      afterMutations(onMutated),
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url: '/trpc' }),
        false: messagesLink(httpBatchLink, {
          url: '/trpc',
          headers: () => (debugMessages.on ? { 'x-debug-messages': 'on' } : {}),
          async fetch(input, init) {
            const answer = await fetch(input, init);
            if (!reloadOnAnswer.on) return answer;
            window.location.reload();
            // The page is going: this answer is never read.
            return new Promise<never>(() => {});
          },
        }),
      }),
    ],
  });
}
