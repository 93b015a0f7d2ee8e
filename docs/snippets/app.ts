// The quick start's app, which the docs' fragments build on through their preambles (see
// test/docs/snippets.test.ts): its kit, context, tRPC's `t`, the base procedure and the router.
import { initTRPC } from '@trpc/server';
import type { CreateHTTPContextOptions } from '@trpc/server/adapters/standalone';
import { createMessages } from 'trpc-messages/server';
import { z } from 'zod';

/** The app's messages kit. */
export const messages = createMessages();
/** Each request's context: its messages. */
export const createContext = (opts: CreateHTTPContextOptions) => ({
  messages: messages.fromRequest(opts),
});
/** The app's tRPC. */
export const t = initTRPC.context<typeof createContext>().create();
/** The base procedure: stores each call's messages before it answers. */
export const procedure = t.procedure.use(messages.persist);
/** The quick start's router. */
export const appRouter = t.router({
  messages: messages.router,
  createTask: procedure.input(z.object({ title: z.string() })).mutation(({ ctx, input }) => {
    ctx.messages.success(`Task "${input.title}" created.`);
  }),
});
/** The quick start's router type, for the typed client. */
export type AppRouter = typeof appRouter;
