import { fileURLToPath } from 'node:url';

/** @type {import('next').NextConfig} */
const config = {
  // The tests build into one folder and run `next dev` in another, side by side.
  distDir: process.env.NEXT_DIST_DIR ?? '.next',
  // The library and next itself come from the repository's node_modules.
  outputFileTracingRoot: fileURLToPath(new URL('../..', import.meta.url)),
  eslint: { ignoreDuringBuilds: true },
};

export default config;
