import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { MutationObserver, QueryClient } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { build } from 'esbuild';
import { mutationSettled } from '../client/consume-triggers.js';
import { messagesFor } from '../client/messages-for.js';
import { createDemoApi, type DemoRouter } from '../demo/api/router.js';
import { serverStorage } from '../server/storage/server-storage.js';

/** The kit's own client code, minified and gzipped: what an app adds to its bundle. */
export async function clientBundleBytes(): Promise<{ minified: number; gzipped: number }> {
  const result = await build({
    stdin: {
      contents: "export { Toaster, useMessages } from './client/index.ts';",
      resolveDir: new URL('..', import.meta.url).pathname,
      loader: 'ts',
    },
    bundle: true,
    minify: true,
    format: 'esm',
    jsx: 'automatic',
    write: false,
    // What the app already has: React, React Query, tRPC, and sonner (the renderer).
    external: ['react', 'react-dom', 'react/jsx-runtime', '@tanstack/*', '@trpc/*', 'sonner'],
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { minified: code.byteLength, gzipped: gzipSync(code).byteLength };
}

/**
 * HTTP requests the client makes for one mutation that flashes a message, after the page's
 * on-mount consume: the real consumer, watching a real QueryClient's mutation cache.
 */
export async function requestsPerFlashingMutation(): Promise<number> {
  const api = createDemoApi(serverStorage({ secret: 'benchmark-secret-of-at-least-32-chars' }));
  const server = createServer(
    createHTTPHandler({ router: api.router, createContext: api.createContext }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let requests = 0;
  let cookies = '';
  const client = createTRPCClient<DemoRouter>({
    links: [
      httpBatchLink({
        url: `http://127.0.0.1:${port}`,
        async fetch(url, init) {
          requests += 1;
          const response = await fetch(url, {
            ...init,
            headers: { ...init?.headers, cookie: cookies },
          } as RequestInit);
          const set = response.headers.getSetCookie().map((c) => c.slice(0, c.indexOf(';')));
          if (set.length > 0) cookies = set.join('; ');
          return response;
        },
      }),
    ],
  });
  const queryClient = new QueryClient();
  const { list, consumer } = messagesFor(client);
  const stop = consumer.watch([mutationSettled(queryClient)]);
  await consumer.consume(); // the page's on-mount consume, not counted
  requests = 0;
  const shown = new Promise<void>((resolve) => {
    const unsubscribe = list.subscribe(() => {
      unsubscribe();
      resolve();
    });
  });
  await new MutationObserver(queryClient, {
    mutationFn: () => client.create.mutate({ title: 'Measured' }),
  }).mutate();
  await shown;
  stop();
  server.close();
  return requests;
}
