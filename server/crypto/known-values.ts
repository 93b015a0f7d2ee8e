/**
 * Signed values known valid, each with what it holds (the value it carries, or what that
 * decodes to), for values that come back with the browser's next requests. Only values their
 * owner signed or verified may be set. A fixed table indexed by the end of the signature, not a
 * Map: a Map hashes all of a key a request brings (about a microsecond at 600 characters), a
 * slot costs the same at any length. Two values that share a slot: the newer stays.
 */
export class KnownValues<Held> {
  readonly #signed: Array<string | undefined>;
  readonly #held: Array<Held | undefined>;
  readonly #shift: number;

  /** A table of at least `size` values (rounded up to a power of two). */
  constructor(size: number) {
    const bits = Math.max(1, Math.ceil(Math.log2(size)));
    this.#signed = new Array<string | undefined>(2 ** bits).fill(undefined);
    this.#held = new Array<Held | undefined>(2 ** bits).fill(undefined);
    this.#shift = 32 - bits;
  }

  /** What `signed` holds, if it is known; undefined for any other string. */
  get(signed: string): Held | undefined {
    const slot = this.#slotOf(signed);
    const known = this.#signed[slot];
    // The signatures' ends first, in constant time: how long a lookup takes tells a request
    // nothing of the value in its slot (another browser's) unless it already carries some 94 bits
    // of its signature. (All 43 characters would take longer than the rest of the lookup.)
    if (known === undefined || !sameEnd(known, signed, COMPARED_LENGTH)) return undefined;
    return known === signed ? this.#held[slot] : undefined;
  }

  /** Remembers that `signed`, signed or verified by the caller, holds `held`. */
  set(signed: string, held: Held): void {
    const slot = this.#slotOf(signed);
    this.#signed[slot] = signed;
    this.#held[slot] = held;
  }

  // Characters of the signature, mixed: uniformly random in a signed value. (Not the last: of
  // 43 characters for 256 bits, it holds only 4.)
  #slotOf(signed: string): number {
    let hash = 0;
    for (let i = 2; i <= 5; i += 1) {
      hash = Math.imul(hash ^ signed.charCodeAt(signed.length - i), 0x9e3779b1);
    }
    return hash >>> this.#shift;
  }
}

/**
 * Whether the last `count` characters of `a` and `b` are equal, in time that depends only on
 * `count` (a forger learns nothing from how long a wrong signature took to refuse).
 */
export function sameEnd(a: string, b: string, count: number): boolean {
  if (a.length < count || b.length < count) return false;
  let difference = 0;
  for (let i = 1; i <= count; i += 1) {
    difference |= a.charCodeAt(a.length - i) ^ b.charCodeAt(b.length - i);
  }
  return difference === 0;
}

// The end of a signature KnownValues compares in constant time: 16 characters, 94 bits (the
// last character holds 4).
const COMPARED_LENGTH = 16;
