import { MAX_ACKS } from '../../shared/delivery.js';

/**
 * The ids of messages this tab has shown, waiting to be acknowledged. They ride on the client's
 * next request; if none goes out within half the lease, `flush` sends them on a request of their
 * own, so no other tab or device is handed them again once the lease ends.
 */
export class Acknowledgements {
  #pending: string[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #leaseMs = 5000;
  readonly #flush: () => void;

  /** `flush` sends the pending acknowledgements (on a request that takes them, see `take`). */
  constructor(flush: () => void) {
    this.#flush = flush;
  }

  /** Queues `ids` for acknowledgement, within half of `leaseMs` (the server's lease). */
  add(ids: readonly string[], leaseMs: number): void {
    this.#leaseMs = leaseMs;
    const before = this.#pending.length;
    this.#pending = [...new Set([...this.#pending, ...ids])];
    if (this.#pending.length > before) this.#arm();
  }

  /** Takes the ids a request is to carry (at most MAX_ACKS; the rest wait for the next). */
  take(): string[] {
    const taken = this.#pending.splice(0, MAX_ACKS);
    if (this.#pending.length === 0 && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    return taken;
  }

  /** Puts back ids a request took but could not deliver (it failed before any answer). */
  restore(ids: readonly string[]): void {
    this.#pending = [...new Set([...ids, ...this.#pending])];
    if (this.#pending.length > 0) this.#arm();
  }

  /** Whether any acknowledgement waits. */
  get pending(): boolean {
    return this.#pending.length > 0;
  }

  #arm(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      if (this.#pending.length > 0) this.#flush();
    }, this.#leaseMs / 2);
  }
}
