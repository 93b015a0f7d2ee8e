import { inProduction } from './environment.js';
import type { DropEvent } from './message-store.js';

/**
 * Who hears of the messages a store drops unread: the store's `onDrop`, then everyone watching.
 * A drop no one hears of is warned about outside production: a drop is never silent.
 */
export class DropListeners {
  readonly #listeners = new Set<(event: DropEvent) => void>();

  constructor(onDrop?: (event: DropEvent) => void) {
    if (onDrop) this.#listeners.add(onDrop);
  }

  /** Calls `listener` with every drop from now on; returns its stop. */
  watch(listener: (event: DropEvent) => void): () => void {
    // A registration of its own, so one listener can watch twice.
    const registration = (event: DropEvent) => listener(event);
    this.#listeners.add(registration);
    return () => {
      this.#listeners.delete(registration);
    };
  }

  /** Tells every listener of `event` (nothing when it dropped no message). */
  emit(event: DropEvent): void {
    if (event.messages.length === 0) return;
    if (this.#listeners.size === 0) {
      if (!inProduction()) {
        console.warn(
          `trpc-messages: ${event.messages.length} message(s) for ${event.key} were dropped ` +
            `unread (${event.reason}); pass onDrop to see them`,
        );
      }
      return;
    }
    for (const listener of [...this.#listeners]) listener(event);
  }
}
