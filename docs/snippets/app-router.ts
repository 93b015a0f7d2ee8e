// Preamble of the docs' fragments that use the quick start's app (see test/docs/snippets.test.ts):
// its kit `messages`, `createContext`, tRPC's `t`, the base `procedure` and `appRouter`.
// biome-ignore-all lint/correctness/noUnusedImports: the names are for the blocks that follow
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { type AppRouter, appRouter, createContext, messages, procedure, t } from './app.js';
