// Preamble of the docs' client fragments that use the app's tRPC client (see
// test/docs/snippets.test.ts): `trpcClient`, with the kit's link, typed by the quick start's router.
// biome-ignore-all lint/correctness/noUnusedVariables: the names are for the blocks that follow
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { messagesLink } from 'trpc-messages/client';
import type { AppRouter } from './app.js';

const trpcClient = createTRPCClient<AppRouter>({
  links: [messagesLink(httpBatchLink, { url: '/trpc' })],
});
