// Preamble of the docs' fragments that serve a fetch-adapter app (see test/docs/snippets.test.ts):
// its `router` and `createContext`, the adapter, Node's `serve`, and the parts of Bun's and Deno's
// globals the fragments use (the project does not install their types).
// biome-ignore-all lint/correctness/noUnusedImports: the names are for the blocks that follow
// biome-ignore-all lint/correctness/noUnusedVariables: the names are for the blocks that follow
import { serve } from '@hono/node-server';
import { initTRPC } from '@trpc/server';
import { type FetchCreateContextFnOptions, fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createMessages } from 'trpc-messages/server';

const messages = createMessages();
const createContext = (opts: FetchCreateContextFnOptions) => ({
  messages: messages.fromRequest(opts),
});
const t = initTRPC.context<typeof createContext>().create();
const router = t.router({ messages: messages.router });
declare const Bun: {
  serve(options: { fetch: (request: Request) => Promise<Response>; port: number }): unknown;
};
declare const Deno: {
  serve(options: { port: number }, handler: (request: Request) => Promise<Response>): unknown;
};
