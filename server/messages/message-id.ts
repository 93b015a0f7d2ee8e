import { randomId } from '../crypto/random-id.js';

// A random per-process prefix and a counter: unique across processes with overwhelming
// probability (64 random bits), shorter in a cookie than a UUID, and cheaper than fresh entropy
// per message. Ids only need to be unique (the client shows each id once), not secret. The
// prefix is drawn at the first message, not at import: workerd forbids randomness at module scope.
let prefix: string | undefined;
let counter = 0;

/** A new id, unique across messages and processes. */
export function newMessageId(): string {
  prefix ??= randomId(8);
  counter += 1;
  return prefix + counter.toString(36);
}
