/**
 * Bundles the current bench code against an earlier version of the kit (BENCH_BASELINE=<ref>):
 * the ref's kit is read out of git into a temporary folder, never the working tree, and the
 * bench's imports of the kit are redirected there.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import type { Plugin } from 'esbuild';
import {
  BASELINE_ENTRIES,
  BASELINE_FOLDER,
  BASELINE_MANIFEST,
  type BaselineVersion,
} from './baseline.js';
import { bundleBench } from './bundle-bench.js';

/** The kit's folders: what a baseline replaces. The rest of the repository is the bench's. */
const KIT_FOLDERS = ['server', 'shared', 'client', 'next'];
/** What a bundle of the kit reads beside its folders (tsconfig.json sets how classes compile). */
const KIT_FILES = ['package.json', 'tsconfig.json'];

/** A version of the kit read out of git into a temporary folder. */
export interface Checkout extends BaselineVersion {
  /** The folder, with a trailing separator. */
  readonly folder: string;
  remove(): void;
}

function git(root: string, args: readonly string[], input?: Buffer): Buffer {
  const done = spawnSync('git', ['-C', root, ...args], { input, maxBuffer: 1 << 30 });
  if (done.error) throw new Error(`bench: git did not run: ${done.error.message}`);
  if (done.status !== 0) {
    throw new Error(`bench: git ${args.join(' ')} failed: ${done.stderr.toString().trim()}`);
  }
  return done.stdout;
}

/** Reads the kit of `ref` in the repository at `root` into a temporary folder. */
export function checkOutBaseline(root: string, ref: string): Checkout {
  const verify = ['-C', root, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`];
  const found = spawnSync('git', verify);
  const commit = found.status === 0 ? found.stdout.toString().trim() : '';
  if (!commit) {
    throw new Error(
      `bench: BENCH_BASELINE=${ref} is not a commit of this repository; give a branch, a tag ` +
        'or a commit, such as main~5',
    );
  }
  const description = git(root, ['log', '-1', '--format=%h %cs %s', commit]).toString().trim();
  const top = git(root, ['ls-tree', '--name-only', commit]).toString().split('\n');
  const paths = [...KIT_FOLDERS, ...KIT_FILES].filter((path) => top.includes(path));
  const folder = `${mkdtempSync(join(tmpdir(), 'trpc-messages-baseline-'))}${sep}`;
  try {
    const archive = git(root, ['archive', '--format=tar', commit, '--', ...paths]);
    const unpacked = spawnSync('tar', ['-x', '-C', folder], { input: archive });
    if (unpacked.status !== 0) {
      const why = unpacked.error?.message ?? unpacked.stderr.toString().trim();
      throw new Error(`bench: tar could not unpack the kit of ${ref}: ${why}`);
    }
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  return {
    ref,
    commit,
    description,
    folder,
    remove: () => rmSync(folder, { recursive: true, force: true }),
  };
}

/**
 * An esbuild plugin that resolves the imports of the kit (its folders at `root`) to the same
 * files in `folder`, the baseline's, failing with the file's name where the baseline has none.
 */
function kitRedirect(root: string, folder: string, ref: string): Plugin {
  return {
    name: 'kit-redirect',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, async (args) => {
        const path = relative(root, resolve(args.resolveDir, args.path));
        if (!KIT_FOLDERS.includes(path.split(sep)[0] ?? '')) return undefined;
        // As esbuild resolves it in the baseline's folder: '.js' may name a '.ts' file.
        const found = await build.resolve(`./${path}`, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: folder,
        });
        if (found.errors.length === 0) return { path: found.path };
        return {
          errors: [{ text: `the baseline ${ref} has no ${path}, which the bench imports` }],
        };
      });
    },
  };
}

/**
 * Bundles the bench's BASELINE_ENTRIES into `out` with the kit's imports resolved in `folder`
 * (a version of the kit, named `ref` in errors); fails naming what the bench needs and the
 * baseline lacks.
 */
export async function bundleBaseline(
  root: string,
  folder: string,
  ref: string,
  out: string,
): Promise<void> {
  const lacking: string[] = [];
  try {
    await bundleBench(root, BASELINE_ENTRIES, out, {
      plugins: [
        kitRedirect(root, folder, ref),
        {
          name: 'baseline-errors',
          setup(build) {
            build.onEnd(({ errors }) => {
              for (const { text, location } of errors) {
                const missing = /^No matching export in "(.+)" for import "(.+)"$/.exec(text);
                const at = location ? ` (${location.file}:${location.line})` : '';
                lacking.push(
                  missing
                    ? `the baseline ${ref} lacks the export ${missing[2]} of ` +
                        `${relative(folder, resolve(root, missing[1] ?? ''))}, which the bench ` +
                        `imports${at}`
                    : `${text}${at}`,
                );
              }
            });
          },
        },
      ],
      logLevel: 'silent',
    });
  } catch (failure) {
    if (lacking.length === 0) throw failure;
    throw new Error(
      `bench: the bench does not build against the baseline ${ref}; give BENCH_BASELINE a ` +
        `later ref, one that has what the bench needs:\n${lacking.join('\n')}`,
    );
  }
}

/** Bundles the bench against the kit of `ref` into BASELINE_FOLDER of `out`, with its manifest. */
export async function buildBaseline(root: string, ref: string, out: string): Promise<void> {
  const checkout = checkOutBaseline(root, ref);
  try {
    const folder = join(out, BASELINE_FOLDER);
    await bundleBaseline(root, checkout.folder, ref, folder);
    const { commit, description } = checkout;
    const version: BaselineVersion = { ref, commit, description };
    writeFileSync(join(folder, BASELINE_MANIFEST), `${JSON.stringify(version)}\n`);
  } finally {
    checkout.remove();
  }
}
