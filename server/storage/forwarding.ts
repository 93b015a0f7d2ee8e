import type { StoredMessage } from '../../shared/message.js';
import type { MessageStore, RetiredKeyError, StoreChange } from './message-store.js';

// The most retirements one step follows: a session rotated at sign-in, then at sign-out.
const MAX_FORWARDS = 4;

/**
 * Whether `error` is a `RetiredKeyError`, from this copy of the library or another (Next.js
 * bundles it once per server entry, and the default memory store is shared by all of them).
 */
export function isRetiredKeyError(error: unknown): error is RetiredKeyError {
  return error instanceof Error && error.name === 'RetiredKeyError' && 'successor' in error;
}

/**
 * One step of `key` in `store`, following the key's successors while it forwards (its session
 * was rotated while the request was in flight): what the step adds and acknowledges goes to
 * where the session moved. There the step hands out only what is leased to its own holder, never
 * the successor's other messages, so a copy of the old cookie reads nothing. Rejects with the
 * `RetiredKeyError` once the key no longer forwards.
 */
export function commitFollowing(
  store: MessageStore,
  key: string,
  change: StoreChange,
  forwards = 0,
): Promise<StoredMessage[]> {
  return store.commit(key, change).catch((error: unknown) => {
    if (!isRetiredKeyError(error) || error.successor === undefined || forwards === MAX_FORWARDS) {
      throw error;
    }
    const handOut = change.handOut === 'own' || change.handOut === 'all' ? 'own' : 'none';
    return commitFollowing(store, error.successor, { ...change, handOut }, forwards + 1);
  });
}
