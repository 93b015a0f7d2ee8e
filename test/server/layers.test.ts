import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ImportGraph } from '../fixtures/import-graph.js';

// The server's layers, each importing only from itself and the ones before it: the runtime's
// facts, encodings, crypto, the HTTP exchanges, reports, the storage contract and storages, the
// stores, the request API, the tRPC binding, the test helpers. The entries sit on top.
const LAYERS = [
  'runtime',
  'encoding',
  'crypto',
  'http',
  'reports',
  'storage',
  'stores',
  'messages',
  'trpc',
  'testing',
] as const;
// The one import against the order: the server storage's default store is the memory store.
const ALLOWED_UPWARD = ['storage/server-sessions.ts -> stores/memory/memory-store.ts'];

const graph = new ImportGraph(fileURLToPath(new URL('../../server/', import.meta.url)));
const layerOf = (file: string) => LAYERS.indexOf(file.split('/')[0] as (typeof LAYERS)[number]);

describe("the server's layers", () => {
  it('has a file in every layer', () => {
    for (const layer of LAYERS) {
      expect(graph.files.some((file) => file.startsWith(`${layer}/`))).toBe(true);
    }
  });

  it('imports only from its own layer and the ones before it', () => {
    const upward = graph.files.flatMap((file) =>
      graph
        .importsOf(file)
        .filter((target) => layerOf(file) >= 0 && layerOf(target) > layerOf(file))
        .map((target) => `${file} -> ${target}`),
    );
    expect(upward).toEqual(ALLOWED_UPWARD);
  });

  it('keeps tRPC out of every layer below the binding', () => {
    const binding = LAYERS.indexOf('trpc');
    const reached = graph.files
      .filter((file) => layerOf(file) >= 0 && layerOf(file) < binding)
      .flatMap((file) =>
        graph
          .specifiersOf(file)
          .filter((specifier) => specifier.startsWith('@trpc/'))
          .map((specifier) => `${file} -> ${specifier}`),
      );
    expect(reached).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(graph.cycles()).toEqual([]);
  });
});
