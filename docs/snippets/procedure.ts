// Preamble of the docs' fragments that run inside a procedure (see test/docs/snippets.test.ts):
// the app's kit `messages`, tRPC's `t`, the base `procedure`, and `ctx` as a procedure gets it.
// biome-ignore-all lint/correctness/noUnusedImports: the names are for the blocks that follow
// biome-ignore-all lint/correctness/noUnusedVariables: the names are for the blocks that follow
import { initTRPC } from '@trpc/server';
import type { CreateHTTPContextOptions } from '@trpc/server/adapters/standalone';
import { createMessages } from 'trpc-messages/server';

const messages = createMessages();
const createContext = (opts: CreateHTTPContextOptions) => ({
  messages: messages.fromRequest(opts),
});
const t = initTRPC.context<typeof createContext>().create();
const procedure = t.procedure.use(messages.persist);
declare const ctx: Awaited<ReturnType<typeof createContext>>;
