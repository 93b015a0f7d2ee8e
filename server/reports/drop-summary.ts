import { processWide } from '../runtime/process-wide.js';
import type { DropEvent } from './drop-event.js';
import { logError } from './log-error.js';
import { type DroppedBecause, MessagesDroppedError } from './messages-dropped-error.js';

/** How long drops are counted before they are reported together, in ms. */
const DROP_SUMMARY_MS = 10_000;

/**
 * Reports a store's drops in counts rather than one by one: a drop after a quiet while at once,
 * then those of the next `DROP_SUMMARY_MS` together, by reason, as one `MessagesDroppedError`
 * (and so on while drops go on). So a flood of new visitors pushing each other out of a full
 * store is a line every ten seconds, not one per visitor.
 */
export class DropSummary {
  readonly #report: (error: MessagesDroppedError) => void;
  #counts: { [Reason in DroppedBecause]?: number } = {};
  // Set while drops are being counted: when it fires, they are reported.
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(report: (error: MessagesDroppedError) => void) {
    this.#report = report;
  }

  /** Counts `event`'s messages; the first drop after a quiet while is reported at once. */
  add(event: DropEvent): void {
    const count = event.messages.length;
    if (count === 0) return;
    if (this.#timer === undefined) {
      this.#schedule();
      this.#report(new MessagesDroppedError({ [event.reason]: count }));
      return;
    }
    this.#counts[event.reason] = (this.#counts[event.reason] ?? 0) + count;
  }

  #schedule(): void {
    this.#timer = setTimeout(() => this.#flush(), DROP_SUMMARY_MS);
    // A report to come is no reason for the process to stay up.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #flush(): void {
    const counts = this.#counts;
    this.#counts = {};
    if (Object.keys(counts).length === 0) {
      this.#timer = undefined;
      return;
    }
    this.#schedule();
    this.#report(new MessagesDroppedError(counts, { intervalMs: DROP_SUMMARY_MS }));
  }
}

/** What tells of drops: a store (see `MessageStore.watchDrops`). */
interface DropSource {
  watchDrops?(listener: (event: DropEvent) => void): () => void;
}

/**
 * Logs the drops of `store` in counts (see `DropSummary`), with one registration per store however
 * many ask: every kit with no listener of its own asks, and one drop is one report. Held for as
 * long as the store lives.
 */
export function logDrops(store: DropSource): void {
  // Process-wide, as the default store is: copies of the module share it.
  const logged = processWide('logged-drops', () => new WeakSet<DropSource>());
  if (!store.watchDrops || logged.has(store)) return;
  logged.add(store);
  const summary = new DropSummary((error) => logError(error));
  store.watchDrops((event) => summary.add(event));
}
