import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A signing secret, or several: the first signs, every one verifies (rotation). */
export type Secret = string | readonly string[];

let developmentSecret: string | undefined;

/**
 * The secrets to use: `secret`, else the MESSAGES_SECRET environment variable, else (outside
 * production) a random one for this process, with a single warning.
 */
export function resolveSecrets(secret: Secret | undefined): readonly string[] {
  const given = secret ?? process.env.MESSAGES_SECRET;
  if (given !== undefined) {
    const secrets = typeof given === 'string' ? [given] : [...given];
    if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s.length === 0)) {
      const source = secret === undefined ? 'MESSAGES_SECRET' : '{ secret }';
      throw new TypeError(
        `trpc-messages: ${source} must be a non-empty string (or, as an option, a list of them)`,
      );
    }
    return secrets;
  }
  if (process.env.NODE_ENV === 'production') {
    throw new Error(
      'trpc-messages: no secret configured; set MESSAGES_SECRET or pass { secret } ' +
        '(a random string of 32 characters or more, the same on every instance)',
    );
  }
  if (developmentSecret === undefined) {
    developmentSecret = randomBytes(32).toString('base64url');
    console.warn(
      'trpc-messages: no secret configured, so a random one is used for this process: ' +
        'messages do not survive a restart. Set MESSAGES_SECRET or pass { secret }.',
    );
  }
  return [developmentSecret];
}

/** Signs values with HMAC-SHA256 under a salt, and verifies them against every secret. */
export class Signer {
  readonly #keys: readonly HmacKey[];
  // Values seen valid before, for a signer whose values come back again and again (a session
  // cookie, sent with every request): a browser's next requests skip the HMAC. Only a value
  // that verified can enter; when full, the memory starts over (cheaper than evicting one by one).
  readonly #verified = new Map<string, string>();
  readonly #remember: number;

  constructor(secret: Secret | undefined, salt: string, options: { remember?: number } = {}) {
    this.#remember = options.remember ?? 0;
    // One derived key per secret and salt, so one secret can safely serve several purposes.
    this.#keys = resolveSecrets(secret).map(
      (s) => new HmacKey(createHmac('sha256', s).update(salt).digest()),
    );
  }

  /** `value` followed by a dot and its signature; safe in a cookie when `value` is. */
  sign(value: string): string {
    return `${value}.${(this.#keys[0] as HmacKey).sign(value)}`;
  }

  /** The value `signed` carries if one of the secrets signed it, else undefined. */
  unsign(signed: string): string | undefined {
    if (this.#remember === 0) return this.#verify(signed);
    const known = this.#verified.get(signed);
    if (known !== undefined) return known;
    const value = this.#verify(signed);
    if (value !== undefined && signed.length <= REMEMBERED_LENGTH) {
      if (this.#verified.size >= this.#remember) this.#verified.clear();
      this.#verified.set(signed, value);
    }
    return value;
  }

  #verify(signed: string): string | undefined {
    const dot = signed.lastIndexOf('.');
    // Comparing the base64url text, not decoded bytes, rejects every variant spelling too.
    if (dot < 0 || signed.length - dot - 1 !== SIGNATURE_LENGTH) return undefined;
    const value = signed.slice(0, dot);
    const given = Buffer.from(signed.slice(dot + 1));
    if (given.length !== SIGNATURE_LENGTH) return undefined; // a non-ASCII character
    for (const key of this.#keys) {
      if (timingSafeEqual(given, Buffer.from(key.sign(value)))) return value;
    }
    return undefined;
  }
}

// Verified values are remembered up to this length (a session cookie is 66).
const REMEMBERED_LENGTH = 128;

// base64url of a SHA-256 digest: 32 bytes, 43 characters.
const SIGNATURE_LENGTH = 43;

// SHA-256 hashes blocks of 64 bytes, and its digests are 32 bytes long.
const BLOCK_BYTES = 64;
const DIGEST_BYTES = 32;

/**
 * HMAC-SHA256 (RFC 2104) under one key: H((K ^ opad) || H((K ^ ipad) || value)), in base64url.
 * Written on two one-shot `hash` calls rather than with `createHmac` because `createHmac`
 * allocates a native object per call, to be finalised by the garbage collector: in the HTTP
 * benchmark, where a cookie storage request signs once, that took about 3% of bare tRPC’s
 * throughput more. Tested against `createHmac` on arbitrary values.
 */
class HmacKey {
  // The inner hash's input: the key ^ ipad, then the value; the outer's: the key ^ opad, then
  // the inner digest. Both reused from call to call (`hash` reads its input before returning);
  // the inner one grows to the longest value signed.
  #inner: Buffer;
  readonly #outer: Buffer;

  constructor(key: Buffer) {
    if (key.length > BLOCK_BYTES) throw new RangeError('HmacKey: keys are at most 64 bytes');
    this.#inner = Buffer.alloc(BLOCK_BYTES + 1024, 0x36);
    this.#outer = Buffer.alloc(BLOCK_BYTES + DIGEST_BYTES, 0x5c);
    for (let i = 0; i < key.length; i += 1) {
      this.#inner[i] = (this.#inner[i] as number) ^ (key[i] as number);
      this.#outer[i] = (this.#outer[i] as number) ^ (key[i] as number);
    }
  }

  sign(value: string): string {
    // A UTF-16 unit takes at most 3 bytes of UTF-8.
    const room = BLOCK_BYTES + value.length * 3;
    if (this.#inner.length < room) {
      const grown = Buffer.alloc(room);
      this.#inner.copy(grown, 0, 0, BLOCK_BYTES);
      this.#inner = grown;
    }
    const length = BLOCK_BYTES + this.#inner.write(value, BLOCK_BYTES);
    hash('sha256', this.#inner.subarray(0, length), 'buffer').copy(this.#outer, BLOCK_BYTES);
    return hash('sha256', this.#outer, 'base64url');
  }
}
