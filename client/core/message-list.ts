import type { Message } from '../../shared/message.js';
import type { ShownIds } from './shown-ids.js';
import { Subscribable } from './subscribable.js';

// Ids pushed before are remembered so a message fetched twice (StrictMode's double effects, a
// refetch on focus, two consumers) is listed once; the oldest are forgotten past this many.
const REMEMBERED_IDS = 1000;

/**
 * A message as the list shows it: the latest of the messages it stands for. Identical messages
 * (same level, text, tags and translation, no key and no action) arriving while one is listed
 * are one entry with a count; a message with a `key` takes the place of the entry with that key.
 */
export interface ListedMessage extends Message {
  /** The entry's id: its first message's, kept as later ones update it (a React key, a toast's id). */
  readonly id: string;
  /** How many identical messages it stands for: 1, 2, 3… (a key's replacement starts again at 1). */
  readonly count: number;
  /** The ids of every message it stands for, oldest first: shown, and acknowledged, together. */
  readonly ids: readonly string[];
}

/**
 * The messages to show, framework-free (React subscribes with useSyncExternalStore): each id
 * once, kept until dismissed, whether or not anything is rendering them yet; identical messages
 * as one entry with a count, and a keyed message in the place of the one it replaces. With
 * `shown`, what the renderer reports on screen (`shown(ids)`) is remembered, and a message shown
 * before (in this tab, before a reload, or in another tab) is not listed again.
 */
export class MessageList {
  #messages: readonly ListedMessage[] = [];
  readonly #seen = new Set<string>();
  // The ids of the messages the entries stand for.
  readonly #held = new Set<string>();
  // The entries by what they are listed by (see `placeOf`).
  readonly #places = new Map<string, ListedMessage>();
  readonly #shown: ShownIds | undefined;
  readonly #changes = new Subscribable();
  readonly #onShown: ((ids: readonly string[]) => void) | undefined;

  /** `onShown` is told the ids of the messages the renderer put on screen (see `shown`). */
  constructor(shown?: ShownIds, onShown?: (ids: readonly string[]) => void) {
    this.#shown = shown;
    this.#onShown = onShown;
  }

  /**
   * Lists the messages not listed or shown before, in order: each a new entry, or an update of
   * the entry it repeats or whose key it has. Returns the entries it added or changed.
   */
  push(messages: readonly Message[]): ListedMessage[] {
    let listed = this.#messages;
    const changed = new Map<string, ListedMessage>();
    for (const message of messages) {
      const { id } = message;
      // Ids on show count as seen even once forgotten, and within one push, so none shows twice.
      if (this.#seen.has(id) || this.#held.has(id) || this.#shown?.has(id)) continue;
      this.#held.add(id);
      this.#seen.add(id);
      if (this.#seen.size > REMEMBERED_IDS) {
        const [oldest] = this.#seen;
        this.#seen.delete(oldest as string);
      }
      const place = placeOf(message);
      const old = place === undefined ? undefined : this.#places.get(place);
      const entry = old
        ? { ...message, id: old.id, count: message.key ? 1 : old.count + 1, ids: [...old.ids, id] }
        : { ...message, count: 1, ids: [id] };
      if (place !== undefined) this.#places.set(place, entry);
      listed = old ? listed.map((m) => (m === old ? entry : m)) : [...listed, entry];
      changed.set(entry.id, entry);
    }
    if (changed.size === 0) return [];
    this.#messages = listed;
    this.#changes.emit();
    return [...changed.values()];
  }

  /** Removes an entry (by its `id`) from those shown; its messages will not come back. */
  dismiss = (id: string): void => {
    const entry = this.#messages.find((m) => m.id === id);
    if (!entry) return;
    for (const shown of entry.ids) this.#held.delete(shown);
    this.#places.delete(placeOf(entry) as string);
    this.#messages = this.#messages.filter((m) => m !== entry);
    this.#changes.emit();
  };

  /** The entries to show, oldest first; the same array until something changes. */
  getSnapshot = (): readonly ListedMessage[] => this.#messages;

  /** Calls `listener` after every change; returns the function that stops it. */
  subscribe = this.#changes.subscribe;

  /**
   * The renderer put these messages on screen (in the DOM; an entry's `ids`): they will not be
   * listed again, and can be acknowledged. Until then, a message that came but was never drawn
   * (the page left first) comes again.
   */
  shown = (ids: readonly string[]): void => {
    const fresh = this.#shown ? this.#shown.add(ids) : ids;
    if (fresh.length > 0) this.#onShown?.(fresh);
  };
}

/**
 * What a message is listed by: its key, or (without a key) all it shows; an entry with the same
 * place takes it in. None for a message with an action: each is a call of its own.
 */
function placeOf(message: Message): string | undefined {
  if (message.key !== undefined) return `key ${message.key}`;
  if (message.action) return undefined;
  const { level, message: text, tags, translation } = message;
  return JSON.stringify([level, text, tags, translation]);
}
