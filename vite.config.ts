import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { SHOW_TIMEOUT } from './test/fixtures/show-timeout.js';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Code that imports the package by name (the demo) gets its source, not a stale dist/.
    alias: [
      { find: /^trpc-messages$/, replacement: source('shared/index.ts') },
      { find: /^trpc-messages\/server$/, replacement: source('server/index.ts') },
      { find: /^trpc-messages\/client$/, replacement: source('client/index.ts') },
      { find: /^trpc-messages\/client\/headless$/, replacement: source('client/headless.ts') },
      { find: /^trpc-messages\/testing$/, replacement: source('server/testing/index.ts') },
    ],
  },
  test: {
    testTimeout: 20_000,
    // Vitest's default is 1 s, which a page's render or a loopback round trip can exceed on a
    // loaded machine; a poll that succeeds returns as soon as it does.
    expect: { poll: { timeout: SHOW_TIMEOUT } },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: ['test/browser/**', 'test/next/**', 'test/runtimes/**'],
        },
      },
      {
        // Real Chromium against the built demo: the build runs once per run, in build-demo.ts.
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/browser/build-demo.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The example Next.js app (examples/next), built once per run in build-example.ts, served
        // by `next start` (and `next dev`) and driven in real Chromium.
        extends: true,
        test: {
          name: 'next',
          include: ['test/next/**/*.test.ts'],
          globalSetup: ['test/next/build-example.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        // One fetch-adapter app on every runtime: Node 20, 22 and 24, Bun, Deno and workerd.
        extends: true,
        test: {
          name: 'runtimes',
          include: ['test/runtimes/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
