import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: source('.'),
  plugins: [react()],
  resolve: {
    // The demo imports the library as users do, from its source in this repo.
    alias: [
      { find: /^trpc-messages\/client$/, replacement: source('../client/index.ts') },
      { find: /^trpc-messages$/, replacement: source('../shared/index.ts') },
    ],
  },
  build: { outDir: source('dist'), emptyOutDir: true },
});
