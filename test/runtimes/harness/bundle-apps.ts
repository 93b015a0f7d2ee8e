import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The bundled app, one file per way of running it. */
export interface AppBundles {
  /** The app behind node:http (@hono/node-server). */
  readonly node: string;
  /** The app behind Bun.serve. */
  readonly bun: string;
  /** The app behind Deno.serve. */
  readonly deno: string;
  /** The app as a module worker, for workerd. */
  readonly worker: string;
}

const launchers = fileURLToPath(new URL('../launchers/', import.meta.url));
// The project's tsconfig maps 'trpc-messages/server' to the library's source.
const tsconfig = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));

/**
 * Bundles the app and the library's source with esbuild into `dir`, as a user's build would for
 * each runtime: ESM for the server runtimes (ioredis's CommonJS `require`s answered by Node's
 * createRequire, which Bun and Deno have too), and for workerd what wrangler builds: the
 * worker conditions, `node:` modules left to the runtime (nodejs_compat has them, without it
 * the worker cannot load one), and NODE_ENV defined as production.
 */
export async function bundleApps(dir: string): Promise<AppBundles> {
  const common = { bundle: true, format: 'esm', tsconfig, logLevel: 'silent' } as const;
  await Promise.all([
    build({
      ...common,
      entryPoints: ['node', 'bun', 'deno'].map((name) => `${launchers}${name}.ts`),
      outdir: dir,
      outExtension: { '.js': '.mjs' },
      platform: 'node',
      target: 'node20',
      banner: {
        js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);",
      },
    }),
    build({
      ...common,
      entryPoints: [`${launchers}worker.ts`],
      outdir: dir,
      outExtension: { '.js': '.mjs' },
      platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['browser', 'module', 'main'],
      external: ['node:*', 'cloudflare:*'],
      define: { 'process.env.NODE_ENV': '"production"' },
    }),
  ]);
  const file = (name: string) => `${dir}/${name}.mjs`;
  return { node: file('node'), bun: file('bun'), deno: file('deno'), worker: file('worker') };
}
