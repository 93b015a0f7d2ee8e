import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { bundleBaseline, type Checkout, checkOutBaseline } from '../../bench/baseline-bundle.js';
import { flashOnce } from '../../bench/flash-flow.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args]).toString();

const checkouts: Checkout[] = [];
const folders: string[] = [];
const servers: ChildProcess[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.disconnect();
  for (const checkout of checkouts.splice(0)) checkout.remove();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** The kit of this repository's HEAD, read out for a test that may change it. */
function headKit(): Checkout {
  const checkout = checkOutBaseline(root, 'HEAD');
  checkouts.push(checkout);
  return checkout;
}

/**
 * A folder for a bundle, outside the repository as the checkout is: ESM (as the repository's
 * package.json says) and finding the repository's packages, as .bench/baseline/ does.
 */
function bundleFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'trpc-messages-baseline-bundle-'));
  folders.push(folder);
  writeFileSync(join(folder, 'package.json'), '{ "type": "module" }\n');
  symlinkSync(join(root, 'node_modules'), join(folder, 'node_modules'), 'dir');
  return join(folder, 'baseline');
}

/** Edits the file `path` of `checkout`. */
function edit(checkout: Checkout, path: string, change: (text: string) => string): void {
  const file = join(checkout.folder, path);
  const before = readFileSync(file, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  writeFileSync(file, after);
}

describe("the bench's baseline (BENCH_BASELINE)", () => {
  it("reads a ref's kit out of git into a temporary folder and leaves the working tree alone", () => {
    const status = git('status', '--porcelain');
    const checkout = headKit();
    expect(checkout.commit).toBe(git('rev-parse', 'HEAD').trim());
    expect(readFileSync(join(checkout.folder, 'server/index.ts'), 'utf8')).toBe(
      git('show', 'HEAD:server/index.ts'),
    );
    // The kit alone: the bench and the tests stay the working tree's.
    expect(existsSync(join(checkout.folder, 'bench'))).toBe(false);
    expect(existsSync(join(checkout.folder, 'test'))).toBe(false);
    expect(git('status', '--porcelain')).toBe(status);
    checkout.remove();
    expect(existsSync(checkout.folder)).toBe(false);
  });

  it('refuses a ref that names no commit, saying what to give instead', () => {
    expect(() => checkOutBaseline(root, 'no-such-ref~1')).toThrow(
      /BENCH_BASELINE=no-such-ref~1 is not a commit of this repository; give a branch, a tag or a commit/,
    );
  });

  it("bundles the current bench against the baseline's kit, whose storage cycle and server run", async () => {
    const checkout = headKit();
    // A mark only this copy of the kit leaves when it loads.
    edit(
      checkout,
      'server/messages/messages.ts',
      (text) => `${text}\nReflect.set(globalThis, 'benchBaselineMark', 'the checkout');\n`,
    );
    const out = bundleFolder();
    await bundleBaseline(root, checkout.folder, 'HEAD', out);

    const bundle: typeof import('../../bench/storage-cases.js') = await import(
      pathToFileURL(join(out, 'storage-cases.js')).href
    );
    expect(Reflect.get(globalThis, 'benchBaselineMark')).toBe('the checkout');
    const cases = await bundle.storageCases();
    expect(cases.map((c) => c.name)).toContain('cookie, N = 1');
    for (const { work } of cases) await work();

    const server = fork(join(out, 'http-server.js'), ['server'], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    servers.push(server);
    const { port } = await new Promise<{ port: number }>((resolve) =>
      server.once('message', resolve),
    );
    expect(await flashOnce(`http://127.0.0.1:${port}`, 'server')).toBe(1);
  });

  it('names the export the bench needs when the baseline lacks it', async () => {
    const checkout = headKit();
    edit(checkout, 'server/index.ts', (text) => text.replace(/^ {2}RedisStore,\n/m, ''));
    await expect(bundleBaseline(root, checkout.folder, 'main~99', bundleFolder())).rejects.toThrow(
      /the baseline main~99 lacks the export RedisStore of server\/index\.ts, which the bench imports \(bench\/http-server\.ts/,
    );
  });

  it('names the file the bench needs when the baseline has none', async () => {
    const checkout = headKit();
    rmSync(join(checkout.folder, 'server/index.ts'));
    await expect(bundleBaseline(root, checkout.folder, 'main~99', bundleFolder())).rejects.toThrow(
      /the baseline main~99 has no server\/index\.js, which the bench imports \(bench\/(storage-cases|http-server)\.ts/,
    );
  });
});
