import type { Message } from '../shared/message.js';
import type { ShownIds } from './shown-ids.js';

// Ids pushed before are remembered so a message fetched twice (StrictMode's double effects, a
// refetch on focus, two consumers) is listed once; the oldest are forgotten past this many.
const REMEMBERED_IDS = 1000;

/**
 * The messages to show, framework-free (React subscribes with useSyncExternalStore): each id
 * once, kept until dismissed, whether or not anything is rendering them yet. With `shown`, what
 * the renderer reports on screen (`shown(ids)`) is remembered, and a message shown before (in
 * this tab, before a reload, or in another tab) is not listed again.
 */
export class MessageList {
  #messages: readonly Message[] = [];
  readonly #seen = new Set<string>();
  readonly #shown: ShownIds | undefined;
  readonly #listeners = new Set<() => void>();
  readonly #onShown: ((ids: readonly string[]) => void) | undefined;

  /** `onShown` is told the ids of the messages the renderer put on screen (see `shown`). */
  constructor(shown?: ShownIds, onShown?: (ids: readonly string[]) => void) {
    this.#shown = shown;
    this.#onShown = onShown;
  }

  /** Adds the messages not listed or shown before, in order; returns those it added. */
  push(messages: readonly Message[]): Message[] {
    // Ids on show count as seen even once forgotten, and within one push, so none shows twice.
    const held = new Set(this.#messages.map((m) => m.id));
    const fresh: Message[] = [];
    for (const message of messages) {
      const { id } = message;
      if (this.#seen.has(id) || held.has(id) || this.#shown?.has(id)) continue;
      held.add(id);
      this.#seen.add(id);
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

  /**
   * The renderer put these messages on screen (in the DOM): they will not be listed again, and
   * can be acknowledged. Until then, a message that came but was never drawn (the page left
   * first) comes again.
   */
  shown = (ids: readonly string[]): void => {
    if (ids.length === 0) return;
    this.#shown?.add(ids);
    this.#onShown?.(ids);
  };

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}
