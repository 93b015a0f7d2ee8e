// Preamble of the docs' fragments that test a store of one's own (see test/docs/snippets.test.ts):
// the docs' example store.
// biome-ignore-all lint/correctness/noUnusedImports: the names are for the blocks that follow
import { MapStore } from '../examples/map-store.js';
