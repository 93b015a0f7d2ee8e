import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { MutationObserver, QueryClient } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { build } from 'esbuild';
import { GlobalWindow } from 'happy-dom';
import { mutationSettled } from '../client/core/consume-triggers.js';
import { messagesFor } from '../client/trpc/messages-for.js';
import { messagesLink } from '../client/trpc/messages-link.js';
import { createDemoApi, type DemoRouter } from '../demo/api/router.js';

/** The client's budget, minified and gzipped: the Toaster, its hook and its link together. */
export const CLIENT_BUDGET_BYTES = 5000;

/** The client as an app imports it: with the Toaster, or headless (its own UI over the hook). */
const ENTRIES = {
  'Toaster + useMessages + messagesLink':
    "export { messagesLink, Toaster, useMessages } from './client/index.js';",
  'headless: useMessages + messagesLink':
    "export { messagesLink, useMessages } from './client/headless.js';",
} as const;

/** What the kit's client code weighs: the whole, and each source file's share. */
export interface ClientBundleSize {
  /** Minified, in bytes. */
  readonly minified: number;
  /** Minified and gzipped, in bytes: the budget's measure. */
  readonly gzipped: number;
  /** Each source file's minified bytes in the bundle, largest first (esbuild's metafile). */
  readonly bySource: ReadonlyArray<{ readonly source: string; readonly minified: number }>;
}

/**
 * The kit's own client code, minified and gzipped: what an app adds to its production bundle
 * when it imports `entry`'s exports. Built as an app's production build builds it:
 * `process.env.NODE_ENV` is "production", so the development-only warnings and explanations are
 * left out (esbuild would assume it for a minified browser build anyway; it is said here so the
 * figure does not hang on that default).
 */
export async function clientBundleBytes(
  entry: keyof typeof ENTRIES = 'Toaster + useMessages + messagesLink',
): Promise<ClientBundleSize> {
  const result = await build({
    stdin: {
      contents: ENTRIES[entry],
      // The repository root, from bench/ or from .bench/ (compile.ts).
      resolveDir: fileURLToPath(new URL('..', import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    minify: true,
    format: 'esm',
    jsx: 'automatic',
    write: false,
    metafile: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    // What the app already has: React, React Query, tRPC, and sonner (the renderer).
    external: ['react', 'react-dom', 'react/jsx-runtime', '@tanstack/*', '@trpc/*', 'sonner'],
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  const inputs = Object.values(result.metafile.outputs)[0]?.inputs ?? {};
  const bySource = Object.entries(inputs)
    .map(([source, { bytesInOutput }]) => ({ source, minified: bytesInOutput }))
    .filter(({ minified }) => minified > 0)
    .sort((a, b) => b.minified - a.minified);
  return { minified: code.byteLength, gzipped: gzipSync(code).byteLength, bySource };
}

/**
 * Prints what the client weighs with the Toaster and headless: each source file's minified
 * bytes, then the totals against the budget. Returns the sizes, by entry.
 */
export async function printClientSize(): Promise<Record<keyof typeof ENTRIES, ClientBundleSize>> {
  const names = Object.keys(ENTRIES) as (keyof typeof ENTRIES)[];
  const sizes = Object.fromEntries(
    await Promise.all(names.map(async (name) => [name, await clientBundleBytes(name)] as const)),
  ) as Record<keyof typeof ENTRIES, ClientBundleSize>;
  const [full, headless] = names.map((name) => sizes[name]);
  console.log(
    '\nClient: each source file, minified bytes in the bundle (gzip applies to the whole)',
  );
  console.table(
    full?.bySource.map(({ source, minified }) => ({
      source,
      'with the Toaster': minified,
      headless: headless?.bySource.find((s) => s.source === source)?.minified ?? '',
    })),
  );
  console.log('Client: the kit’s own code (excluding react, react-query, tRPC and sonner)');
  console.table(
    names.map((name) => ({
      measure: name,
      minified: `${sizes[name].minified} B`,
      'minified + gzip': `${sizes[name].gzipped} B`,
      budget: `${(sizes[name].gzipped / CLIENT_BUDGET_BYTES).toFixed(2)} x ${CLIENT_BUDGET_BYTES} B`,
    })),
  );
  return sizes;
}

/**
 * HTTP requests a page makes for one mutation that flashes a message, after its on-mount
 * consume, until the message is listed: the real link and consumer, in a happy-dom window
 * (the link delivers only in a browser), with the demo's API on a real server. With
 * `messagesLink` the mutation's own response carries its message; without it, a consume follows.
 */
export async function requestsPerFlashingMutation(withLink: boolean): Promise<number> {
  const page = installWindow();
  const api = createDemoApi({ secret: 'benchmark-secret-of-at-least-32-chars' });
  const server = createServer(
    createHTTPHandler({ router: api.router, createContext: api.createContext }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let requests = 0;
  let cookies = '';
  const fetchWithCookies: typeof fetch = async (url, init) => {
    requests += 1;
    const headers = new Headers(init?.headers);
    if (cookies) headers.set('cookie', cookies);
    const response = await fetch(url, { ...init, headers });
    const set = response.headers.getSetCookie().map((c) => c.slice(0, c.indexOf(';')));
    if (set.length > 0) cookies = set.join('; ');
    return response;
  };
  const url = `http://127.0.0.1:${port}`;
  const client = createTRPCClient<DemoRouter>({
    links: [
      withLink
        ? messagesLink(httpBatchLink, { url, fetch: fetchWithCookies })
        : httpBatchLink({ url, fetch: fetchWithCookies }),
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
  const counted = requests;
  // Nothing left on the wire as the server goes: the acknowledgement, and any consume under way.
  if (withLink) await client.messages.ack.mutate();
  await consumer.consume();
  stop();
  // Nothing left to keep the process alive: the cache's garbage-collection timers (5 minutes)
  // and the client's keep-alive connections.
  queryClient.clear();
  server.closeAllConnections();
  server.close();
  await page.close();
  return counted;
}

/** Gives this process a happy-dom window's globals (document, sessionStorage), Node's fetch kept. */
function installWindow(): { close(): Promise<void> } {
  const window = new GlobalWindow({ url: 'http://localhost/' });
  const globals = globalThis as unknown as Record<string, unknown>;
  const installed = { window, document: window.document, sessionStorage: window.sessionStorage };
  for (const [name, value] of Object.entries(installed)) globals[name] = value;
  return {
    async close() {
      for (const name of Object.keys(installed)) delete globals[name];
      await window.happyDOM.abort();
      window.close();
    },
  };
}
