/**
 * One server of the HTTP benchmark, run in its own process by `http.bench.ts`:
 * `fork('bench/http-server.ts', [app])`, and for the Redis app `[app, redisUrl]`. It serves the
 * app's `save` mutation through tRPC's standalone adapter on 127.0.0.1 and a free port, and
 * tells its parent over IPC.
 */
import type { AddressInfo } from 'node:net';
import { initTRPC } from '@trpc/server';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { Redis } from 'ioredis';
import { z } from 'zod';
import {
  cookieStorage,
  createMessages,
  MemoryStore,
  type NodeRequestOptions,
  RedisStore,
  serverStorage,
} from '../server/index.js';

// A storage of the kit, named by what makes one: the bench imports no type by name, so a
// baseline of any version (BENCH_BASELINE) bundles with it.
type KitStorage = ReturnType<typeof serverStorage>;

/** The apps compared: without trpc-messages, and with each storage (server: on a memory store). */
export type HttpApp = 'bare' | 'server' | 'cookie' | 'redis';

/** What the server process tells its parent: its port once listening, then its CPU time. */
export type ServerReport =
  | { readonly port: number }
  | { readonly cpuMicroseconds: number; readonly dropped: number };

const secret = 'benchmark-secret-of-at-least-32-chars';
const saveInput = z.object({ title: z.string() });

/** The app without trpc-messages: the baseline. */
function bareServer() {
  const t = initTRPC.create();
  const router = t.router({
    save: t.procedure.input(saveInput).mutation(({ input }) => ({ id: 1, title: input.title })),
  });
  return createHTTPServer({ router });
}

// Messages the store let go unread: counted, as an app that watches for them would, rather than
// logged on each drop (the default), which the worst case (a session never read) does per save.
let dropped = 0;

/** The same app as a user of trpc-messages writes it, keeping messages in `storage`. */
function messagesServer(storage: KitStorage) {
  const messages = createMessages({
    storage,
    onDrop: (event) => (dropped += event.messages.length),
  });
  const createContext = (opts: NodeRequestOptions) => ({ messages: messages.fromRequest(opts) });
  const t = initTRPC.context<typeof createContext>().create();
  const procedure = t.procedure.use(messages.persist);
  const router = t.router({
    messages: messages.router,
    save: procedure.input(saveInput).mutation(({ ctx, input }) => {
      ctx.messages.success('Saved.');
      return { id: 1, title: input.title };
    }),
  });
  return createHTTPServer({ router, createContext });
}

/** The redis app's ioredis client, as an app creates one: its URL and the defaults. */
let redisClient: Redis | undefined;

const servers: Record<HttpApp, () => ReturnType<typeof createHTTPServer>> = {
  bare: bareServer,
  server: () => messagesServer(serverStorage({ secret, store: new MemoryStore() })),
  cookie: () => messagesServer(cookieStorage({ secret })),
  redis: () => {
    const url = process.argv[3];
    if (!url) throw new Error('bench/http-server.ts: the redis app needs the Redis URL after it');
    redisClient = new Redis(url);
    return messagesServer(
      serverStorage({ secret, store: new RedisStore({ client: redisClient }) }),
    );
  },
};

const app = process.argv[2];
const send = process.send?.bind(process);
if (!send || !(app === 'bare' || app === 'server' || app === 'cookie' || app === 'redis')) {
  throw new Error(
    'bench/http-server.ts: run it through http.bench.ts, which forks it with one of bare, server, cookie, redis',
  );
}
const report = (message: ServerReport) => send(message);
const server = servers[app]();
server.listen(0, '127.0.0.1', () => report({ port: (server.address() as AddressInfo).port }));
process.on('message', () => {
  const { user, system } = process.cpuUsage();
  report({ cpuMicroseconds: user + system, dropped });
});
// Exit by emptying the event loop, not by a signal, so that --cpu-prof can write its profile.
process.on('disconnect', () => {
  server.closeAllConnections();
  server.close();
  redisClient?.disconnect();
});
