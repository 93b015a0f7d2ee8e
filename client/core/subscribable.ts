/**
 * A set of listeners, as TanStack Query's `Subscribable`: `subscribe` adds one and returns its
 * stop, `emit` calls each. Every subscribe is a registration of its own: a function subscribed
 * twice is called twice, and each stop ends one.
 */
export class Subscribable<TArgs extends unknown[] = []> {
  readonly #listeners = new Set<{ readonly listener: (...args: TArgs) => void }>();

  /** Calls `listener` on every emit until the function it returns is called. */
  subscribe = (listener: (...args: TArgs) => void): (() => void) => {
    const registration = { listener };
    this.#listeners.add(registration);
    return () => {
      this.#listeners.delete(registration);
    };
  };

  /** Calls the listeners subscribed now (one subscribed meanwhile waits for the next emit). */
  emit(...args: TArgs): void {
    for (const { listener } of [...this.#listeners]) listener(...args);
  }
}
