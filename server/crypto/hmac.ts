import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64url } from '../encoding/base64url.js';
import { utf8 } from '../encoding/utf8.js';
import { nodeCrypto } from '../runtime/node-builtin.js';

/** HMAC-SHA256 under one key, of text, in base64url: a signature. */
export interface HmacKey {
  sign(value: string): string;
}

/**
 * HMAC-SHA256 under `key`. Synchronous everywhere (Web Crypto's HMAC is async, and a cookie is
 * read where no await fits): node:crypto's one-shot `hash` where the runtime has it, twice as
 * fast as pure JS between requests; else @noble/hashes' audited HMAC.
 */
export function hmacKey(key: Uint8Array): HmacKey {
  const crypto = nodeCrypto();
  return crypto ? new NodeHmacKey(key, crypto.hash) : new PortableHmacKey(key);
}

/** HMAC-SHA256 of `message` under `key`, as bytes (for deriving keys: not on a hot path). */
export function hmacBytes(key: Uint8Array, message: string): Uint8Array {
  return hmac(sha256, key, utf8(message));
}

// SHA-256 hashes blocks of 64 bytes, and its digests are 32 bytes long.
const BLOCK_BYTES = 64;
const DIGEST_BYTES = 32;

/** node:crypto's one-shot `hash`. */
export type Hash = typeof import('node:crypto').hash;

/**
 * RFC 2104 on two one-shot `hash` calls: H((K ^ opad) || H((K ^ ipad) || value)). Not
 * `createHmac`, which allocates a native object per call for the garbage collector: in the HTTP
 * benchmark, where a cookie storage request signs once, that took about 3% of bare tRPC’s
 * throughput more. Tested against @noble/hashes on arbitrary values.
 */
export class NodeHmacKey implements HmacKey {
  readonly #hash: Hash;
  // The inner hash's input: the key ^ ipad, then the value; the outer's: the key ^ opad, then
  // the inner digest. Both reused from call to call (`hash` reads its input before returning);
  // the inner one grows to the longest value signed. `#tail` is where the value goes.
  #inner: Uint8Array;
  #tail: Uint8Array;
  readonly #outer: Uint8Array;

  constructor(key: Uint8Array, hash: Hash) {
    if (key.length > BLOCK_BYTES) throw new RangeError('HmacKey: keys are at most 64 bytes');
    this.#hash = hash;
    this.#inner = new Uint8Array(BLOCK_BYTES + 1024).fill(0x36);
    this.#tail = this.#inner.subarray(BLOCK_BYTES);
    this.#outer = new Uint8Array(BLOCK_BYTES + DIGEST_BYTES).fill(0x5c);
    for (let i = 0; i < key.length; i += 1) {
      this.#inner[i] = (this.#inner[i] as number) ^ (key[i] as number);
      this.#outer[i] = (this.#outer[i] as number) ^ (key[i] as number);
    }
  }

  sign(value: string): string {
    // A UTF-16 unit takes at most 3 bytes of UTF-8.
    const room = BLOCK_BYTES + value.length * 3;
    if (this.#inner.length < room) {
      const grown = new Uint8Array(room);
      grown.set(this.#inner.subarray(0, BLOCK_BYTES));
      this.#inner = grown;
      this.#tail = grown.subarray(BLOCK_BYTES);
    }
    const { written } = encoder.encodeInto(value, this.#tail);
    // The inner digest as a 'binary' (latin1) string, a char per byte, copied into the outer input by
    // hand: a Buffer out of `hash` costs more than both hashes' work at these sizes.
    const inner = this.#hash('sha256', this.#inner.subarray(0, BLOCK_BYTES + written), 'binary');
    for (let i = 0; i < DIGEST_BYTES; i += 1) this.#outer[BLOCK_BYTES + i] = inner.charCodeAt(i);
    return this.#hash('sha256', this.#outer, 'base64url');
  }
}

const encoder = new TextEncoder();

/** @noble/hashes' HMAC, its keyed state prepared once and cloned for each value. */
export class PortableHmacKey implements HmacKey {
  readonly #keyed: ReturnType<typeof hmac.create>;

  constructor(key: Uint8Array) {
    this.#keyed = hmac.create(sha256, key);
  }

  sign(value: string): string {
    return toBase64url(this.#keyed.clone().update(utf8(value)).digest());
  }
}
