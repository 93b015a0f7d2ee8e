/**
 * Who hears of the failures a store recovers from on its own (a lost connection): everyone
 * watching, or console.error when no one is, so that such a failure is never silent.
 */
export class ErrorListeners {
  readonly #listeners = new Set<(error: unknown) => void>();

  /** Calls `listener` with every failure from now on; returns its stop. */
  watch(listener: (error: unknown) => void): () => void {
    // A registration of its own, so one listener can watch twice.
    const registration = (error: unknown) => listener(error);
    this.#listeners.add(registration);
    return () => {
      this.#listeners.delete(registration);
    };
  }

  /** Tells every listener of `error`, or logs it when there is none. */
  emit(error: unknown): void {
    if (this.#listeners.size === 0) {
      console.error(error);
      return;
    }
    for (const listener of [...this.#listeners]) listener(error);
  }
}
