/**
 * The baseline of a before/after run: an earlier version of the kit, named by a git ref in
 * BENCH_BASELINE, which compile.ts bundles with the current bench code into .bench/baseline/.
 * Both sides run the same bench code; only the kit differs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { StorageCase } from './storage-cases.js';

/** The folder of the baseline's bundle, beside the bench's own compiled files. */
export const BASELINE_FOLDER = 'baseline';
/** The bench's files bundled against the baseline: what it runs of the kit. */
export const BASELINE_ENTRIES = ['storage-cases', 'http-server'] as const;
/** The file beside the baseline's bundle that says which version of the kit it holds. */
export const BASELINE_MANIFEST = 'baseline.json';

const versionSchema = z.object({ ref: z.string(), commit: z.string(), description: z.string() });

/**
 * Which version of the kit a baseline is: the ref it was named by, its commit, and the commit's
 * short hash, date and subject.
 */
export type BaselineVersion = z.infer<typeof versionSchema>;

/** A baseline bundled for this run. */
export interface Baseline extends BaselineVersion {
  /** The storage cycle's cases, built from the baseline's kit. */
  storageCases(): Promise<StorageCase[]>;
}

/**
 * The baseline BENCH_BASELINE names, as compile.ts bundled it; undefined without BENCH_BASELINE.
 * Fails when the bundle is missing or was built for another ref.
 */
export function loadBaseline(): Baseline | undefined {
  const ref = process.env.BENCH_BASELINE;
  if (!ref) return undefined;
  const folder = fileURLToPath(new URL(`./${BASELINE_FOLDER}/`, import.meta.url));
  const manifest = `${folder}${BASELINE_MANIFEST}`;
  if (!existsSync(manifest)) {
    throw new Error(
      `bench: BENCH_BASELINE=${ref} but ${folder} holds no baseline; run it as ` +
        '`BENCH_BASELINE=<ref> npm run bench`, which bundles the baseline first',
    );
  }
  const version = versionSchema.parse(JSON.parse(readFileSync(manifest, 'utf8')));
  if (version.ref !== ref) {
    throw new Error(
      `bench: the baseline in ${folder} is ${version.ref}, not BENCH_BASELINE=${ref}; ` +
        'run `npm run bench`, which bundles it again',
    );
  }
  return {
    ...version,
    storageCases: async () => {
      const cases: typeof import('./storage-cases.js') = await import(
        pathToFileURL(`${folder}storage-cases.js`).href
      );
      return cases.storageCases();
    },
  };
}
