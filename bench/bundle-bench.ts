import { type BuildOptions, build } from 'esbuild';

/**
 * Bundles the bench's files `entries` (names in bench/, no extension) of the repository at `root`
 * into `out` as an app runs the kit: compiled JavaScript, packages left external and loaded from
 * node_modules. `options` adds to the build (plugins, a log level).
 */
export async function bundleBench(
  root: string,
  entries: readonly string[],
  out: string,
  options: BuildOptions = {},
): Promise<void> {
  await build({
    entryPoints: entries.map((name) => `${root}bench/${name}.ts`),
    outdir: out,
    absWorkingDir: root,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    ...options,
  });
}
