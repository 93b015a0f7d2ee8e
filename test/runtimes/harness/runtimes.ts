import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { portableStorages, type StorageName } from '../app/storages.js';
import type { AppBundles } from './bundle-apps.js';
import type { Launch } from './runtime-process.js';

/** What a launch needs to know of its run. */
export interface RunSettings {
  readonly bundles: AppBundles;
  readonly storage: StorageName;
  /** The app's MESSAGES_SECRET. */
  readonly secret: string;
  /** The Redis server for the redis storage, and a key prefix of the run's own. */
  readonly redis?: { readonly url: string; readonly prefix: string } | undefined;
  /** A directory of the run's own to start the process in. */
  readonly cwd: string;
}

/** A JavaScript runtime the app runs on, and how. */
export interface Runtime {
  readonly name: string;
  /** Why it cannot run here (its binary is not installed), or undefined when it can. */
  readonly missing: string | undefined;
  readonly storages: readonly StorageName[];
  /** The runtime's version, as it reports it. */
  version(): string;
  launch(run: RunSettings): Launch;
}

const packages = fileURLToPath(new URL('../node_modules/', import.meta.url));
const miniflareLauncher = fileURLToPath(new URL('../launchers/miniflare.ts', import.meta.url));
const serverStorages: readonly StorageName[] = [...portableStorages, 'redis'];

/** `binary --version`'s first line. */
function reportedVersion(binary: string): string {
  const { stdout, error } = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (error) throw error;
  return stdout.split('\n')[0]?.trim() ?? '';
}

/** Why `binary` cannot run, or undefined when it is there. */
function missingBinary(binary: string, installedBy: string): string | undefined {
  return existsSync(binary)
    ? undefined
    : `${binary} is missing (${installedBy}; run \`npm ci --prefix test/runtimes\`, as .ci/setup does)`;
}

/** What the server runtimes' app reads from its environment. */
function serverEnvironment(run: RunSettings): Record<string, string> {
  return {
    NODE_ENV: 'production',
    MESSAGES_SECRET: run.secret,
    MESSAGES_STORAGE: run.storage,
    ...(run.redis ? { REDIS_URL: run.redis.url, REDIS_PREFIX: run.redis.prefix } : {}),
  };
}

function node(name: string, binary: string, installedBy: string | undefined): Runtime {
  return {
    name,
    missing: installedBy === undefined ? undefined : missingBinary(binary, installedBy),
    storages: serverStorages,
    version: () => reportedVersion(binary).replace(/^v/, ''),
    launch: (run) => ({
      command: binary,
      args: [run.bundles.node],
      env: serverEnvironment(run),
      cwd: run.cwd,
    }),
  };
}

const node22 = `${packages}node22/bin/node`;
const node24 = `${packages}node24/bin/node`;
const bun = `${packages}@oven/bun-linux-x64/bin/bun`;
const deno = `${packages}@deno/linux-x64-glibc/deno`;
const workerd = `${packages}workerd/bin/workerd`;
// Miniflare needs Node 22 or later: the project's Node 20 cannot run it.
const miniflareNode = existsSync(node24) ? node24 : node22;

function worker(name: string, compatibilityFlags: readonly string[]): Runtime {
  const missing =
    missingBinary(workerd, 'the workerd package, a dependency of miniflare') ??
    missingBinary(miniflareNode, 'Miniflare needs Node 22 or later: the node22 or node24 package');
  return {
    name,
    missing,
    // A memory store lives in one isolate: here one, in production one per isolate.
    storages: portableStorages,
    version() {
      const miniflare: { version: string } = JSON.parse(
        readFileSync(`${packages}miniflare/package.json`, 'utf8'),
      );
      return `${reportedVersion(workerd).replace(/^workerd /, '')} (miniflare ${miniflare.version})`;
    },
    launch: (run) => ({
      command: miniflareNode,
      args: [miniflareLauncher],
      env: {
        WORKER_SCRIPT: run.bundles.worker,
        COMPATIBILITY_FLAGS: compatibilityFlags.join(','),
        MESSAGES_SECRET: run.secret,
        MESSAGES_STORAGE: run.storage,
      },
      cwd: run.cwd,
    }),
  };
}

/** Every runtime the suite runs the app on. */
export const runtimes: readonly Runtime[] = [
  // The project's own Node (the one running the tests).
  node('Node 20', process.execPath, undefined),
  node('Node 22', node22, 'the node22 package'),
  node('Node 24', node24, 'the node24 package'),
  {
    name: 'Bun',
    missing: missingBinary(bun, 'the @oven/bun-linux-x64 package'),
    storages: serverStorages,
    version: () => reportedVersion(bun),
    launch: (run) => ({
      command: bun,
      args: [run.bundles.bun],
      env: serverEnvironment(run),
      cwd: run.cwd,
    }),
  },
  {
    name: 'Deno',
    missing: missingBinary(deno, 'the @deno/linux-x64-glibc package'),
    storages: serverStorages,
    version: () => reportedVersion(deno).replace(/^deno (\S+).*/, '$1'),
    launch: (run) => ({
      command: deno,
      // The permissions the app needs: to listen and reach Redis, and to read its environment.
      args: ['run', '--no-prompt', '--no-config', '--allow-net', '--allow-env', run.bundles.deno],
      env: serverEnvironment(run),
      cwd: run.cwd,
    }),
  },
  worker('workerd', []),
  worker('workerd + nodejs_compat', ['nodejs_compat']),
];
