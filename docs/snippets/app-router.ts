// Preamble of the docs' fragments that use the quick start's app (see test/docs/snippets.test.ts):
// its kit `messages`, `createContext`, tRPC's `t`, the base `procedure` and `appRouter`.
// biome-ignore-all lint/correctness/noUnusedImports: the names are for the blocks that follow
// biome-ignore-all lint/correctness/noUnusedVariables: the names are for the blocks that follow
import { initTRPC } from '@trpc/server';
import { type CreateHTTPContextOptions, createHTTPServer } from '@trpc/server/adapters/standalone';
import { createMessages } from 'trpc-messages/server';
import { z } from 'zod';

const messages = createMessages();
const createContext = (opts: CreateHTTPContextOptions) => ({
  messages: messages.fromRequest(opts),
});
const t = initTRPC.context<typeof createContext>().create();
const procedure = t.procedure.use(messages.persist);
const appRouter = t.router({
  messages: messages.router,
  createTask: procedure.input(z.object({ title: z.string() })).mutation(({ ctx, input }) => {
    ctx.messages.success(`Task "${input.title}" created.`);
  }),
});
type AppRouter = typeof appRouter;
