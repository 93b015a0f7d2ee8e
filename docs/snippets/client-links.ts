// Preamble of the docs' fragments that build a tRPC client (see test/docs/snippets.test.ts): the
// links' imports, and the quick start's router type.
// biome-ignore-all lint/correctness/noUnusedImports: the names are for the blocks that follow
import {
  createTRPCClient,
  httpBatchLink,
  httpBatchStreamLink,
  httpLink,
  httpSubscriptionLink,
  splitLink,
} from '@trpc/client';
import { messagesLink } from 'trpc-messages/client';
import type { AppRouter } from './app.js';
