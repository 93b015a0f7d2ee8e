// Preamble of the docs' fragments that build a router (see test/docs/snippets.test.ts): the app's
// kit `messages`, tRPC's `t` and the base `procedure`.
// biome-ignore-all lint/correctness/noUnusedImports: the names are for the blocks that follow
import { messages, procedure, t } from './app.js';
