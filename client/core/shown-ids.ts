import { Subscribable } from './subscribable.js';

// The ids this tab remembers across a reload (sessionStorage keeps them per tab); in memory it
// remembers more, the oldest forgotten first.
const REMEMBERED_IN_STORAGE = 200;
const REMEMBERED_IN_MEMORY = 1000;
const STORAGE_KEY = 'trpc-messages:shown';

/**
 * The ids of messages shown on this page, so a message that comes again (a consume racing an
 * inline delivery, an acknowledgement lost on its way, a tab that saw it first) is shown once.
 * Kept in `storage` (the tab's sessionStorage) when given, so a reload remembers them.
 */
export class ShownIds {
  readonly #ids = new Set<string>();
  readonly #storage: Storage | undefined;
  readonly #shownHere = new Subscribable<[ids: readonly string[]]>();

  constructor(storage?: Storage) {
    this.#storage = storage;
    for (const id of readStored(storage)) this.#ids.add(id);
  }

  /** Whether the message `id` was shown (here, or in another tab that said so). */
  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /**
   * Remembers `ids` as shown; `local` says they were shown here, and tells the listeners.
   * Returns the ids it did not know.
   */
  add(ids: readonly string[], local = true): string[] {
    const fresh = [...new Set(ids)].filter((id) => !this.#ids.has(id));
    if (fresh.length === 0) return fresh;
    for (const id of fresh) this.#ids.add(id);
    for (const oldest of this.#ids) {
      if (this.#ids.size <= REMEMBERED_IN_MEMORY) break;
      this.#ids.delete(oldest);
    }
    this.#store();
    if (local) this.#shownHere.emit(fresh);
    return fresh;
  }

  /** Calls `listener` with the ids of messages shown here from now on; returns its stop. */
  onShown = this.#shownHere.subscribe;

  #store(): void {
    if (!this.#storage) return;
    try {
      const newest = [...this.#ids].slice(-REMEMBERED_IN_STORAGE);
      this.#storage.setItem(STORAGE_KEY, JSON.stringify(newest));
    } catch {
      // Storage full or refused (private browsing): memory still remembers.
    }
  }
}

function readStored(storage: Storage | undefined): string[] {
  try {
    const stored: unknown = JSON.parse(storage?.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(stored) ? stored.filter((id) => typeof id === 'string') : [];
  } catch {
    return [];
  }
}
