import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ImportGraph } from '../fixtures/import-graph.js';

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

const graph = new ImportGraph(fileURLToPath(new URL('../../client/', import.meta.url)));

const layerOf = (file: string) => LAYERS.indexOf(file.split('/')[0] as (typeof LAYERS)[number]);

describe("the client's layers", () => {
  const { files } = graph;

  it('has a file in every layer', () => {
    for (const layer of LAYERS) expect(files.some((f) => f.startsWith(`${layer}/`))).toBe(true);
  });

  it('imports only from its own layer and the ones before it', () => {
    const upward = files.flatMap((file) =>
      graph
        .importsOf(file)
        .filter((target) => layerOf(file) >= 0 && layerOf(target) > layerOf(file))
        .map((target) => `${file} -> ${target}`),
    );
    expect(upward).toEqual([]);
  });

  it('keeps React, tRPC and sonner out of the layers below the ones that need them', () => {
    const forbidden = files.flatMap((file) => {
      const rule = FORBIDDEN_PACKAGES[LAYERS[layerOf(file)] ?? 'toaster'];
      return graph
        .specifiersOf(file)
        .filter((specifier) => !specifier.startsWith('.') && rule?.test(specifier))
        .map((specifier) => `${file} -> ${specifier}`);
    });
    expect(forbidden).toEqual([]);
  });

  it('keeps the Toaster and sonner out of the headless entry, however deep', () => {
    const reached = ['headless.ts'];
    for (const file of reached) {
      for (const target of graph.importsOf(file))
        if (!reached.includes(target)) reached.push(target);
    }
    expect(reached.filter((file) => file.startsWith('toaster/'))).toEqual([]);
    expect(
      reached.flatMap((file) => graph.specifiersOf(file).filter((s) => s.startsWith('sonner'))),
    ).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(graph.cycles()).toEqual([]);
  });
});
