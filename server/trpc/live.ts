import { type Recipient, recipientKey } from '../storage/backend.js';
import { KEY_RETIRED, type MessageStore } from '../storage/message-store.js';
import type { Reporter } from './reporter.js';

/** What `messages.live` sends: messages are waiting for the caller, to be consumed. */
export interface LiveSignal {
  readonly waiting: true;
  /**
   * The browser tab they are leased to, which should consume them (a request of that tab added
   * them and its response could not carry them); absent: whichever tab the user looks at.
   */
  readonly heldBy?: string;
}

/**
 * The signals of `messages.live` for `readers` (a request's): one at once if messages are
 * already waiting, then one whenever the store hears of new ones, until `signal` aborts or a
 * reader's key is retired (its session rotated: the stream ends, and the client, subscribing
 * again with the browser's new cookie, watches the new one).
 */
export async function* liveSignals(
  store: MessageStore,
  readers: readonly Recipient[],
  reporter: Reporter,
  path: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<LiveSignal> {
  const keys = readers.map(recipientKey);
  // The holders of the messages heard of since the last signal (undefined: free ones).
  const waiting = new Set<string | undefined>();
  let wake: (() => void) | undefined;
  let retired = false;
  const stops = keys.map((key) =>
    store.watch(key, (heldBy) => {
      if (heldBy === KEY_RETIRED) retired = true;
      else waiting.add(heldBy);
      wake?.();
    }),
  );
  const stopped = new Promise<void>((resolve) => {
    if (signal?.aborted) resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    try {
      const held = await Promise.all(keys.map((key) => store.peek(key)));
      if (held.some((messages) => messages.length > 0)) waiting.add(undefined);
    } catch (error) {
      reporter.report(error, path); // the client's own consumes will find them
    }
    while (!signal?.aborted && !retired) {
      const [heldBy] = waiting;
      if (waiting.size > 0) {
        waiting.delete(heldBy);
        yield heldBy === undefined ? { waiting: true } : { waiting: true, heldBy };
        continue;
      }
      await Promise.race([new Promise<void>((resolve) => (wake = resolve)), stopped]);
    }
  } finally {
    for (const stop of stops) stop();
  }
}
