/** How a listener is held by what it listens to. */
export interface ListenOptions {
  /**
   * Held weakly: it stops listening once garbage-collected, so whoever owns it keeps it (a kit
   * keeps its own), and an owner that is gone leaves nothing behind.
   */
  readonly weak?: boolean;
}

/**
 * The listeners to one kind of event (a store's drops, its errors), each held strongly, or weakly
 * so that listening never keeps its owner alive.
 */
export class Listeners<Event> {
  readonly #strong = new Set<(event: Event) => void>();
  readonly #weak = new Set<WeakRef<(event: Event) => void>>();
  // Forgets the registration of a weak listener once it is collected, with no event to notice.
  readonly #collected = new FinalizationRegistry<WeakRef<(event: Event) => void>>((ref) => {
    this.#weak.delete(ref);
  });

  /** Calls `listener` with every event from now on; returns its stop. */
  add(listener: (event: Event) => void, options: ListenOptions = {}): () => void {
    if (options.weak) {
      const ref = new WeakRef(listener);
      const token = {};
      this.#weak.add(ref);
      this.#collected.register(listener, ref, token);
      return () => {
        this.#weak.delete(ref);
        this.#collected.unregister(token);
      };
    }
    // A registration of its own, so one listener can listen twice.
    const registration = (event: Event) => listener(event);
    this.#strong.add(registration);
    return () => {
      this.#strong.delete(registration);
    };
  }

  /** Tells every listener of `event`; returns how many were told. */
  emit(event: Event): number {
    let told = 0;
    for (const listener of [...this.#strong]) {
      listener(event);
      told += 1;
    }
    for (const ref of [...this.#weak]) {
      const listener = ref.deref();
      if (listener === undefined) {
        this.#weak.delete(ref);
        continue;
      }
      listener(event);
      told += 1;
    }
    return told;
  }

  /** How many listeners are registered (weak ones until their collection is noticed). */
  get size(): number {
    return this.#strong.size + this.#weak.size;
  }
}
