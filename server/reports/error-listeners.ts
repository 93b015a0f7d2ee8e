import { Listeners, type ListenOptions } from './listeners.js';
import { logError } from './log-error.js';

/**
 * Who hears of the failures a store recovers from on its own (a lost connection): everyone
 * watching, or the log when no one is, so that such a failure is never silent.
 */
export class ErrorListeners {
  readonly #listeners = new Listeners<unknown>();

  /** Calls `listener` with every failure from now on; returns its stop. */
  watch(listener: (error: unknown) => void, options?: ListenOptions): () => void {
    return this.#listeners.add(listener, options);
  }

  /** Tells every listener of `error`, or logs it when there is none. */
  emit(error: unknown): void {
    if (this.#listeners.emit(error) === 0) logError(error);
  }
}
