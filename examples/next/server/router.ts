import { z } from 'zod';
import { messages } from './messages';
import { procedure, router } from './trpc';

export const appRouter = router({
  messages: messages.router,
  tasks: router({
    create: procedure.input(z.object({ title: z.string().min(1) })).mutation(({ ctx, input }) => {
      ctx.messages.success(`Task "${input.title}" created.`);
      return { title: input.title };
    }),
  }),
});

export type AppRouter = typeof appRouter;
