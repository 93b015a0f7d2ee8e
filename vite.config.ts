import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Code that imports the package by name (the demo) gets its source, not a stale dist/.
    alias: [
      { find: /^trpc-messages$/, replacement: source('shared/index.ts') },
      { find: /^trpc-messages\/server$/, replacement: source('server/index.ts') },
      { find: /^trpc-messages\/client$/, replacement: source('client/index.ts') },
      { find: /^trpc-messages\/testing$/, replacement: source('server/testing/index.ts') },
    ],
  },
  test: {
    testTimeout: 20_000,
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
    ],
  },
});
