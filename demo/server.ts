import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import sirv from 'sirv';
import type { MessageStorage, Secret } from 'trpc-messages/server';
import { createDemoApi } from './api/router.js';
import { demoSecret } from './secret.js';

const root = fileURLToPath(new URL('.', import.meta.url));

/** How to run the demo. */
export interface DemoOptions {
  /** The port (0 picks a free one). */
  readonly port: number;
  /** The host to listen on (default: every interface, as `localhost` may be IPv4 or IPv6). */
  readonly host?: string;
  /** Serve the page through Vite's dev server (hot reload) instead of the built files. */
  readonly dev?: boolean;
  /** Where the built page is (default: demo/dist, where `npm start` builds it). */
  readonly pageDir?: string;
  /** Where messages are kept (default: the embedded memory store). */
  readonly storage?: MessageStorage;
  /** What signs the session cookie and the Undo actions (default: the kit's, MESSAGES_SECRET). */
  readonly secret?: Secret;
}

/** A running demo. */
export interface RunningDemo {
  readonly url: string;
  readonly server: Server;
  /** The demo's messages kit: `messages.to(recipient)` sends as its jobs do. */
  readonly messages: ReturnType<typeof createDemoApi>['messages'];
  close(): Promise<void>;
}

/** Starts the demo: the tRPC API at /trpc and the page, from one Node process. */
export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const api = createDemoApi({
    ...(options.storage ? { storage: options.storage } : {}),
    ...(options.secret ? { secret: options.secret } : {}),
  });
  const trpc = createHTTPHandler({
    router: api.router,
    createContext: api.createContext,
    basePath: '/trpc/',
  });
  let page: (
    req: Parameters<typeof trpc>[0],
    res: Parameters<typeof trpc>[1],
    next: () => void,
  ) => void;
  let closeVite = async () => {};
  if (options.dev) {
    const { createServer: createVite } = await import('vite');
    const vite = await createVite({
      configFile: `${root}vite.config.ts`,
      server: { middlewareMode: true },
      appType: 'spa',
    });
    page = vite.middlewares;
    closeVite = () => vite.close();
  } else {
    page = sirv(options.pageDir ?? `${root}dist`, { single: true, etag: true });
  }
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/trpc/')) {
      trpc(req, res);
      return;
    }
    page(req, res, () => {
      res.statusCode = 404;
      res.end('Not found');
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    server,
    messages: api.messages,
    async close() {
      await closeVite();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The storage the command line asks for: Redis when REDIS_URL is set (its session cookie signed
 * with `secret`), else the embedded default.
 */
async function storageFromEnvironment(secret: Secret): Promise<MessageStorage | undefined> {
  const url = process.env.REDIS_URL;
  if (!url) return undefined;
  const { Redis } = await import('ioredis');
  const { RedisStore, serverStorage } = await import('trpc-messages/server');
  return serverStorage({ store: new RedisStore({ client: new Redis(url) }), secret });
}

// The command line (`npm start`, in production mode, and `npm run dev`): PORT, REDIS_URL,
// MESSAGES_SECRET, and DEMO_PAGE_DIR for a page built elsewhere than demo/dist.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const secret = demoSecret();
  const storage = await storageFromEnvironment(secret);
  const pageDir = process.env.DEMO_PAGE_DIR;
  const demo = await startDemo({
    port: Number(process.env.PORT ?? 3000),
    dev: process.argv.includes('--dev'),
    secret,
    ...(storage ? { storage } : {}),
    ...(pageDir ? { pageDir } : {}),
  });
  console.log(`trpc-messages demo: ${demo.url} (messages in ${storage ? 'Redis' : 'memory'})`);
}
