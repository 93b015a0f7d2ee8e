import type { DropEvent } from './drop-event.js';
import { DropSummary } from './drop-summary.js';
import { Listeners, type ListenOptions } from './listeners.js';
import { logError } from './log-error.js';

/**
 * Who hears of the messages a store drops unread: the store's `onDrop`, and everyone watching. A
 * drop no one hears of is logged, in counts (see `DropSummary`), in production too: never silent,
 * never a line per message.
 */
export class DropListeners {
  readonly #listeners = new Listeners<DropEvent>();
  #unheard: DropSummary | undefined;

  constructor(onDrop?: (event: DropEvent) => void) {
    if (onDrop) this.#listeners.add(onDrop);
  }

  /** Calls `listener` with every drop from now on; returns its stop. */
  watch(listener: (event: DropEvent) => void, options?: ListenOptions): () => void {
    return this.#listeners.add(listener, options);
  }

  /** Tells every listener of `event` (nothing when it dropped no message). */
  emit(event: DropEvent): void {
    if (event.messages.length === 0 || this.#listeners.emit(event) > 0) return;
    this.#unheard ??= new DropSummary((error) => logError(error));
    this.#unheard.add(event);
  }
}
