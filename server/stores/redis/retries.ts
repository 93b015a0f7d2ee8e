/** The first wait before sending again, and the longest, in ms. */
const FIRST_DELAY_MS = 100;
const LONGEST_DELAY_MS = 1000;

/**
 * Commands sent again in the background until they succeed, for those that are safe to repeat;
 * the waits between tries grow from 100 ms to 1 s. The timers do not keep a process alive.
 */
export class Retries {
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  /**
   * Sends `send` again, after `send` failed with `error`, until it resolves; calls `giveUp` with
   * the last error once the next try would start at or after `until` (a `performance.now()` time).
   */
  sendAgain(
    send: () => Promise<unknown>,
    error: unknown,
    until: number,
    giveUp: (error: unknown) => void,
  ): void {
    const attempt = (delay: number, last: unknown) => {
      if (performance.now() + delay >= until) {
        giveUp(last);
        return;
      }
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        send().catch((next: unknown) => attempt(Math.min(delay * 2, LONGEST_DELAY_MS), next));
      }, delay);
      // Node's timers have unref; other runtimes' may not.
      if (typeof timer === 'object' && 'unref' in timer) timer.unref();
      this.#timers.add(timer);
    };
    attempt(FIRST_DELAY_MS, error);
  }

  /** Drops every retry not sent yet. */
  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
