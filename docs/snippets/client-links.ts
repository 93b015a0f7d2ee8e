// Preamble of the docs' fragments that build a tRPC client, after `app-router` (see
// test/docs/snippets.test.ts): the links' imports.
// biome-ignore-all lint/correctness/noUnusedImports: the names are for the blocks that follow
// biome-ignore-all lint/correctness/noUnusedVariables: the names are for the blocks that follow
import {
  createTRPCClient,
  httpBatchLink,
  httpBatchStreamLink,
  httpLink,
  httpSubscriptionLink,
  splitLink,
} from '@trpc/client';
import { messagesLink } from 'trpc-messages/client';
