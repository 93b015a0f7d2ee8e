import { randomBytes } from 'node:crypto';

// A random per-process prefix and a counter: unique across processes with overwhelming
// probability (64 random bits), shorter in a cookie than a UUID, and cheaper than fresh entropy
// per message. Ids only need to be unique (the client shows each id once), not secret.
const prefix = randomBytes(8).toString('base64url');
let counter = 0;

/** A new id, unique across messages and processes. */
export function newMessageId(): string {
  counter += 1;
  return prefix + counter.toString(36);
}
