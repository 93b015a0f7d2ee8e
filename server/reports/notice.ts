// Marked by a symbol of the registry, not by class, so a notice made by another copy of the
// library in the process (Next.js bundles it once per server entry) is known as one too.
const NOTICE = Symbol.for('trpc-messages.notice');

/**
 * One of the kit's own notices (bad input, messages dropped, a Redis outage as it starts and
 * ends): its message says what happened and what to do, so it is logged as one line, no stack.
 */
export class Notice extends Error {
  readonly [NOTICE] = true;
}

/** Whether `error` is one of the kit's notices (see `Notice`). */
export function isNotice(error: unknown): error is Notice {
  return typeof error === 'object' && error !== null && NOTICE in error;
}
