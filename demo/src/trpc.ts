import { httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { createTRPCReact } from '@trpc/react-query';
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
 * The demo's tRPC client: batched HTTP through the kit's link (each response brings its own
 * messages), and server-sent events for subscriptions (the live stream).
 */
export function createClient() {
  return trpc.createClient({
    links: [
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
