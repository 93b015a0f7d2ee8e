import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The client's layers, each importing only from itself and the ones before it: the core,
// framework-free; the tRPC binding; the React hooks; the Toaster (sonner). The entries sit on top.
const LAYERS = ['core', 'trpc', 'react', 'toaster'] as const;
// What each layer may not import from packages, besides the layers after it.
const FORBIDDEN_PACKAGES: Record<(typeof LAYERS)[number], RegExp | undefined> = {
  core: /^(react|react-dom|sonner|@trpc\/.*)(\/.*)?$/,
  trpc: /^(react|react-dom|sonner)(\/.*)?$/,
  react: /^sonner(\/.*)?$/,
  toaster: undefined,
};

const root = fileURLToPath(new URL('../../client/', import.meta.url));

/** Every source file under client/, relative to it. */
function sources(dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) ? [relative(root, path)] : [];
  });
}

/** The specifiers a file imports or re-exports (type-only ones too). */
function specifiersOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'";]*?from\s*'([^']+)'/gm)].map(
    (match) => match[1] as string,
  );
}

/** The client files a file imports, relative to client/ (those outside it left out). */
function importsOf(file: string, files: ReadonlySet<string>): string[] {
  return specifiersOf(file)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => relative(root, resolve(root, dirname(file), specifier)))
    .flatMap((path) =>
      [path.replace(/\.js$/, '.ts'), path.replace(/\.js$/, '.tsx')].filter((p) => files.has(p)),
    );
}

const layerOf = (file: string) => LAYERS.indexOf(file.split('/')[0] as (typeof LAYERS)[number]);

describe("the client's layers", () => {
  const files = sources();
  const fileSet = new Set(files);

  it('has a file in every layer', () => {
    for (const layer of LAYERS) expect(files.some((f) => f.startsWith(`${layer}/`))).toBe(true);
  });

  it('imports only from its own layer and the ones before it', () => {
    const upward = files.flatMap((file) =>
      importsOf(file, fileSet)
        .filter((target) => layerOf(file) >= 0 && layerOf(target) > layerOf(file))
        .map((target) => `${file} -> ${target}`),
    );
    expect(upward).toEqual([]);
  });

  it('keeps React, tRPC and sonner out of the layers below the ones that need them', () => {
    const forbidden = files.flatMap((file) => {
      const rule = FORBIDDEN_PACKAGES[LAYERS[layerOf(file)] ?? 'toaster'];
      return specifiersOf(file)
        .filter((specifier) => !specifier.startsWith('.') && rule?.test(specifier))
        .map((specifier) => `${file} -> ${specifier}`);
    });
    expect(forbidden).toEqual([]);
  });

  it('keeps the Toaster and sonner out of the headless entry, however deep', () => {
    const reached = ['headless.ts'];
    for (const file of reached) {
      for (const target of importsOf(file, fileSet))
        if (!reached.includes(target)) reached.push(target);
    }
    expect(reached.filter((file) => file.startsWith('toaster/'))).toEqual([]);
    expect(
      reached.flatMap((file) => specifiersOf(file).filter((s) => s.startsWith('sonner'))),
    ).toEqual([]);
  });

  it('has no import cycle', () => {
    const cycles: string[] = [];
    const done = new Set<string>();
    const visit = (file: string, path: readonly string[]) => {
      const seen = path.indexOf(file);
      if (seen >= 0) {
        cycles.push([...path.slice(seen), file].join(' -> '));
        return;
      }
      if (done.has(file)) return;
      for (const target of importsOf(file, fileSet)) visit(target, [...path, file]);
      done.add(file);
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
