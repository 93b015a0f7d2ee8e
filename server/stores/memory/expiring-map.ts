/**
 * Values that expire, at most `max` of them, in the order they were set. The memory store's
 * retired keys and used action tokens: small records with a lifetime, which a `Map` in insertion
 * order bounds without a timer.
 */
export class ExpiringMap<V> {
  readonly #entries = new Map<string, { readonly value: V; readonly until: number }>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /** The value under `key`, unless it expired by `now` (then it is forgotten). */
  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until > now) return entry.value;
    this.#entries.delete(key);
    return undefined;
  }

  /**
   * Sets `key` to `value` until `until`. When full, expired entries go first, then (with
   * `evict`) the oldest; without `evict`, a full map refuses the new entry: returns false.
   */
  set(key: string, value: V, until: number, now: number, evict: boolean): boolean {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#max) {
      for (const [old, entry] of this.#entries) {
        if (entry.until <= now) this.#entries.delete(old);
      }
    }
    if (this.#entries.size >= this.#max) {
      if (!evict) return false;
      const [oldest] = this.#entries.keys();
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, { value, until });
    return true;
  }

  /** How many entries are held (expired ones count until they are looked at or swept). */
  get size(): number {
    return this.#entries.size;
  }
}
