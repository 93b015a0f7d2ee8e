import { KnownValues } from './known-values.js';
import { type Signer, signedLength } from './signer.js';

/** How long a signed cookie value is accepted by default: 14 days, as Django's sessions. */
export const DEFAULT_MAX_AGE_SECONDS = 14 * 24 * 60 * 60;

/**
 * Values signed before their issue time was part of the signature (versions before 0.2.0) are
 * still read, as issued at an unknown time, until this version; from it on, they are refused.
 * `test/server/storage/timestamp-signer.test.ts` fails once the package reaches it.
 */
export const UNTIMED_VALUES_READ_UNTIL = '0.3.0';

/** A value a `TimestampSigner` verified, and when it was signed (undefined: an untimed value). */
export interface TimestampedValue {
  readonly value: string;
  /** When it was signed, in ms since the epoch, to the second. */
  readonly issuedAt: number | undefined;
}

/**
 * Signs values with the time they were signed inside the signature (`<value>.<issued>.<sig>`,
 * the issue time in base-36 seconds), and refuses them once older than `maxAgeSeconds` (Django's
 * `TimestampSigner` with `max_age`): a cookie copied from a browser is worth nothing after it,
 * whatever the browser does with its Max-Age. The values signed must not contain a dot.
 */
export class TimestampSigner {
  readonly #signer: Signer;
  readonly #maxAgeMs: number;
  // Values known valid, read (a session cookie comes back with every request of its browser):
  // the next read of one skips the HMAC and the parse, and checks its age alone.
  readonly #known: KnownValues<TimestampedValue> | undefined;

  constructor(signer: Signer, maxAgeSeconds: number, options: { remember?: number } = {}) {
    this.#signer = signer;
    this.#maxAgeMs = maxAgeSeconds * 1000;
    const remember = options.remember ?? 0;
    this.#known = remember > 0 ? new KnownValues(remember) : undefined;
  }

  /** The length of `value` once signed at `now`. */
  signedLength(value: string, now: number = Date.now()): number {
    // Base-36 seconds take 6 digits from 1971 to 2038, then 7.
    const digits = now < 36 ** 6 * 1000 ? 6 : 7;
    return signedLength(value) + 1 + digits;
  }

  /** `value` with its issue time (`now`), signed. */
  sign(value: string, now: number = Date.now()): string {
    const seconds = Math.floor(now / 1000);
    const signed = this.#signer.sign(`${value}.${seconds.toString(36)}`);
    if (this.#known) this.#remember(signed, { value, issuedAt: seconds * 1000 });
    return signed;
  }

  /** The value `signed` carries if it is ours and not too old at `now`; else undefined. */
  unsign(signed: string, now: number = Date.now()): TimestampedValue | undefined {
    const known = this.#known?.get(signed);
    if (known !== undefined) return this.isYoung(known.issuedAt, now) ? known : undefined;
    const body = this.#signer.unsign(signed);
    const read = body === undefined ? undefined : this.read(body, now);
    if (read !== undefined) this.#remember(signed, read);
    return read;
  }

  /**
   * `body`, a verified `<value>.<issued>`, split, if not too old at `now`; a body with no issue
   * time is an untimed value of an older version.
   */
  read(body: string, now: number = Date.now()): TimestampedValue | undefined {
    const dot = body.lastIndexOf('.');
    if (dot < 0) return { value: body, issuedAt: undefined };
    const read = {
      value: body.slice(0, dot),
      issuedAt: Number.parseInt(body.slice(dot + 1), 36) * 1000,
    };
    return this.isYoung(read.issuedAt, now) ? read : undefined;
  }

  /**
   * Whether a value issued at `issuedAt` (undefined: an untimed value of an older version) is
   * still accepted at `now`. An issue time that did not parse (NaN) is not; one ahead of `now`
   * (another instance's clock runs ahead) is.
   */
  isYoung(issuedAt: number | undefined, now: number = Date.now()): boolean {
    return issuedAt === undefined || now - issuedAt < this.#maxAgeMs;
  }

  // Remembered up to a length, which bounds the memory they take (a session cookie is 73).
  #remember(signed: string, read: TimestampedValue): void {
    if (signed.length <= REMEMBERED_LENGTH) this.#known?.set(signed, read);
  }

  /** Whether a value issued at `issuedAt` has lived half its age at `now`: time to sign it anew. */
  halfLived(issuedAt: number | undefined, now: number = Date.now()): boolean {
    return issuedAt === undefined || now - issuedAt >= this.#maxAgeMs / 2;
  }
}

const REMEMBERED_LENGTH = 128;
