import { initTRPC } from '@trpc/server';
import type { FetchCreateContextFnOptions } from '@trpc/server/adapters/fetch';
import { cookieStorage, createMessages } from 'trpc-messages/server';

// On the edge runtime each isolate has its own memory: messages live in the signed cookie.
export const edgeMessages = createMessages({ storage: cookieStorage() });

const t = initTRPC.context<{ messages: ReturnType<typeof edgeMessages.fromRequest> }>().create();
const procedure = t.procedure.use(edgeMessages.persist);

export const edgeRouter = t.router({
  messages: edgeMessages.router,
  greet: procedure.mutation(({ ctx }) => ctx.messages.info('Hello from the edge.')),
});

export const createEdgeContext = (opts: FetchCreateContextFnOptions) => ({
  messages: edgeMessages.fromRequest(opts),
});
