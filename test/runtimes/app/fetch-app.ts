import { initTRPC } from '@trpc/server';
import { type FetchCreateContextFnOptions, fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createMessages, type MessageStorage } from 'trpc-messages/server';
import { z } from 'zod';

/**
 * The app every runtime serves, written once as a user would for Bun, Deno or a worker: tRPC's
 * fetch adapter and the messages kit over `storage`, as a `fetch(request) => Response` handler.
 */
export function createFetchApp(storage: MessageStorage) {
  const messages = createMessages({ storage });
  const createContext = (opts: FetchCreateContextFnOptions) => ({
    messages: messages.fromRequest(opts),
  });
  const t = initTRPC.context<typeof createContext>().create();
  const procedure = t.procedure.use(messages.persist);
  const router = t.router({
    messages: messages.router,
    save: procedure.input(z.object({ title: z.string() })).mutation(({ ctx, input }) => {
      ctx.messages.success(`“${input.title}” saved.`);
      return input.title;
    }),
    ping: procedure.query(() => 'pong'),
  });
  return {
    router,
    fetch: (req: Request): Promise<Response> =>
      fetchRequestHandler({ endpoint: '/trpc', req, router, createContext }),
  };
}

/** The app's router, for its clients. */
export type FetchAppRouter = ReturnType<typeof createFetchApp>['router'];
