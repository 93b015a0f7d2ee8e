// Preamble of the docs' fragments that meet the app's own services (see
// test/docs/snippets.test.ts): its authentication's user, and a job queue.
// biome-ignore-all lint/correctness/noUnusedVariables: the names are for the blocks that follow
import type { IncomingMessage } from 'node:http';

/** The signed-in user of the request at hand. */
declare const user: { readonly id: string };
/** The signed-in user of a request, if any (the app's own authentication). */
declare function userOf(req: IncomingMessage): { readonly id: string } | undefined;
/** A job queue (BullMQ, pg-boss…). */
declare const queue: { add(name: string, data: unknown): Promise<unknown> };
