// The worker bundle on workerd, through Miniflare's JS API. Run as it is (Node 22 or later strips
// its types; Miniflare needs Node 22), not bundled: it imports Miniflare from this package.
// WORKER_SCRIPT names the bundle, COMPATIBILITY_FLAGS its flags (comma-separated); the worker's
// bindings, MESSAGES_SECRET and MESSAGES_STORAGE, come from this process's environment.
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { Miniflare } from 'miniflare';

const scriptPath = process.env.WORKER_SCRIPT;
if (!scriptPath) throw new Error('miniflare launcher: set WORKER_SCRIPT to the worker bundle');
const compatibilityFlags = (process.env.COMPATIBILITY_FLAGS ?? '').split(',').filter(Boolean);

const miniflare = new Miniflare({
  modules: true,
  scriptPath,
  modulesRoot: dirname(scriptPath),
  compatibilityDate: '2026-07-01',
  compatibilityFlags,
  bindings: {
    MESSAGES_SECRET: process.env.MESSAGES_SECRET ?? '',
    MESSAGES_STORAGE: process.env.MESSAGES_STORAGE ?? '',
  },
  host: '127.0.0.1',
  port: 0,
  // workerd's own output (a worker's uncaught errors among it) on this process's.
  handleRuntimeStdio(stdout: Readable, stderr: Readable) {
    stdout.pipe(process.stdout);
    stderr.pipe(process.stderr);
  },
});

const stop = () => {
  void miniflare.dispose().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// The test process is gone, however it ended (its stdin pipe closed): go too, workerd with it.
process.stdin.once('end', stop);
process.stdin.resume();

const url = await miniflare.ready;
console.log(`listening on ${url.origin}`);
