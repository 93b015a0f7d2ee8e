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

  constructor(signer: Signer, maxAgeSeconds: number) {
    this.#signer = signer;
    this.#maxAgeMs = maxAgeSeconds * 1000;
  }

  /** The length of `value` once signed at `now`. */
  signedLength(value: string, now: number = Date.now()): number {
    return signedLength(`${value}.${Math.floor(now / 1000).toString(36)}`);
  }

  /** `value` with its issue time (`now`), signed. */
  sign(value: string, now: number = Date.now()): string {
    return this.#signer.sign(`${value}.${Math.floor(now / 1000).toString(36)}`);
  }

  /** The value `signed` carries if it is ours and not too old at `now`; else undefined. */
  unsign(signed: string, now: number = Date.now()): TimestampedValue | undefined {
    const body = this.#signer.unsign(signed);
    return body === undefined ? undefined : this.read(body, now);
  }

  /**
   * `body`, a verified `<value>.<issued>`, split, if not too old at `now`; a body with no issue
   * time is an untimed value of an older version.
   */
  read(body: string, now: number = Date.now()): TimestampedValue | undefined {
    const dot = body.lastIndexOf('.');
    if (dot < 0) return { value: body, issuedAt: undefined };
    const issuedAt = Number.parseInt(body.slice(dot + 1), 36) * 1000;
    // Written so that an issue time that does not parse (NaN) is refused too. A time ahead of
    // `now` (another instance's clock runs ahead) is accepted.
    if (!(now - issuedAt < this.#maxAgeMs)) return undefined;
    return { value: body.slice(0, dot), issuedAt };
  }

  /**
   * Whether `signed`, a value this signer signed or verified before (remembered with what it
   * holds), is still young enough at `now`: read from its issue time, with no HMAC.
   */
  isFresh(signed: string, now: number = Date.now()): boolean {
    const end = signed.lastIndexOf('.');
    const start = signed.lastIndexOf('.', end - 1);
    if (start < 0) return true; // an untimed value of an older version
    return now - Number.parseInt(signed.slice(start + 1, end), 36) * 1000 < this.#maxAgeMs;
  }

  /** Whether a value issued at `issuedAt` has lived half its age at `now`: time to sign it anew. */
  halfLived(issuedAt: number | undefined, now: number = Date.now()): boolean {
    return issuedAt === undefined || now - issuedAt >= this.#maxAgeMs / 2;
  }
}
