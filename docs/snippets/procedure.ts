// Preamble of the docs' fragments that run inside a procedure (see test/docs/snippets.test.ts):
// the app's kit `messages`, the base `procedure`, and `ctx` as a procedure gets it.
// biome-ignore-all lint/correctness/noUnusedImports: the names are for the blocks that follow
// biome-ignore-all lint/correctness/noUnusedVariables: the names are for the blocks that follow
import { type createContext, messages, procedure } from './app.js';

declare const ctx: ReturnType<typeof createContext>;
