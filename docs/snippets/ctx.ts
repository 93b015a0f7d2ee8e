// Preamble of the docs' fragments that show a line of a procedure beside the app's set-up (see
// test/docs/snippets.test.ts): `ctx` as a procedure gets it, and nothing else.
// biome-ignore-all lint/correctness/noUnusedVariables: the names are for the blocks that follow
import type { Messages } from 'trpc-messages/server';

declare const ctx: { readonly messages: Messages };
