import { initTRPC } from '@trpc/server';
import type { FetchCreateContextFnOptions } from '@trpc/server/adapters/fetch';
import { nextActionCaller } from 'trpc-messages/next';
import { messages } from './messages';
import { currentUser, userOfRequest } from './user';

/** Each request's context: its messages (route handler), the signed-in user's if any. */
export const createContext = (opts: FetchCreateContextFnOptions) => ({
  messages: messages.fromRequest(opts, { userId: userOfRequest(opts.req) }),
});

const t = initTRPC.context<Awaited<ReturnType<typeof createContext>>>().create();

export const router = t.router;
/** Every procedure stores what it queued before it answers. */
export const procedure = t.procedure.use(messages.persist);
/** Procedures called as Server Actions: `ctx.messages` through `cookies()`. */
export const actionProcedure = procedure.experimental_caller(
  nextActionCaller(messages, { request: async () => ({ userId: await currentUser() }) }),
);
