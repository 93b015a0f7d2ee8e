import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

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
      throw new TypeError('trpc-messages: a secret must be a non-empty string or a list of them');
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
  readonly #keys: readonly Buffer[];

  constructor(secret: Secret | undefined, salt: string) {
    // One derived key per secret and salt, so one secret can safely serve several purposes.
    this.#keys = resolveSecrets(secret).map((s) => createHmac('sha256', s).update(salt).digest());
  }

  /** `value` followed by a dot and its signature; safe in a cookie when `value` is. */
  sign(value: string): string {
    return `${value}.${this.#mac(this.#keys[0] as Buffer, value).toString('base64url')}`;
  }

  /** The value `signed` carries if one of the secrets signed it, else undefined. */
  unsign(signed: string): string | undefined {
    const dot = signed.lastIndexOf('.');
    if (dot < 0) return undefined;
    const value = signed.slice(0, dot);
    const signature = Buffer.from(signed.slice(dot + 1), 'base64url');
    // base64url decoding skips bad characters: compare the re-encoding so no variant passes.
    if (signature.length !== 32 || signature.toString('base64url') !== signed.slice(dot + 1)) {
      return undefined;
    }
    for (const key of this.#keys) {
      if (timingSafeEqual(signature, this.#mac(key, value))) return value;
    }
    return undefined;
  }

  #mac(key: Buffer, value: string): Buffer {
    return createHmac('sha256', key).update(value).digest();
  }
}
