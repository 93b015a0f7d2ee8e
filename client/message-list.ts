import type { Message } from '../shared/message.js';

// Ids shown before are remembered so a message fetched twice (StrictMode's double effects, a
// refetch on focus, two consumers) is shown once; the oldest are forgotten past this many.
const REMEMBERED_IDS = 1000;

/**
 * The messages to show, framework-free (React subscribes with useSyncExternalStore): each id
 * once, kept until dismissed, whether or not anything is rendering them yet.
 */
export class MessageList {
  #messages: readonly Message[] = [];
  readonly #seen = new Set<string>();
  readonly #listeners = new Set<() => void>();

  /** Adds the messages not seen before, in order; returns those it added. */
  push(messages: readonly Message[]): Message[] {
    // Ids on show count as seen even once forgotten, and within one push, so none shows twice.
    const shown = new Set(this.#messages.map((m) => m.id));
    const fresh: Message[] = [];
    for (const message of messages) {
      if (this.#seen.has(message.id) || shown.has(message.id)) continue;
      shown.add(message.id);
      this.#seen.add(message.id);
      if (this.#seen.size > REMEMBERED_IDS) {
        const [oldest] = this.#seen;
        this.#seen.delete(oldest as string);
      }
      fresh.push(message);
    }
    if (fresh.length === 0) return [];
    this.#messages = [...this.#messages, ...fresh];
    this.#emit();
    return fresh;
  }

  /** Removes a message from those shown; it will not come back. */
  dismiss = (id: string): void => {
    if (!this.#messages.some((m) => m.id === id)) return;
    this.#messages = this.#messages.filter((m) => m.id !== id);
    this.#emit();
  };

  /** The messages to show, oldest first; the same array until something changes. */
  getSnapshot = (): readonly Message[] => this.#messages;

  /** Calls `listener` after every change; returns the function that stops it. */
  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  };

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}
