import { utf8 } from '../encoding/utf8.js';
import { environment, hasEnvironment, inProduction } from '../runtime/environment.js';
import { processWide } from '../runtime/process-wide.js';
import { type HmacKey, hmacBytes, hmacKey } from './hmac.js';
import { KnownValues, sameEnd } from './known-values.js';
import { randomId } from './random-id.js';

/** A signing secret, or several: the first signs, every one verifies (rotation). */
export type Secret = string | readonly string[];

/**
 * No secret was configured where one is needed: production, with neither `{ secret }` nor
 * MESSAGES_SECRET. Thrown by the first request that signs or verifies, not at start-up, so a
 * build that loads the app (`next build` sets NODE_ENV=production) needs no secret.
 */
export class MissingSecretError extends Error {
  constructor(reason = '') {
    super(
      `trpc-messages: no secret configured${reason}; set MESSAGES_SECRET or pass { secret } ` +
        '(a random string of 32 characters or more, the same on every instance)',
    );
    this.name = 'MissingSecretError';
  }
}

/** `secret` as a list, checked: every one a non-empty string. */
function secretList(secret: Secret, source: string): readonly string[] {
  const secrets = typeof secret === 'string' ? [secret] : [...secret];
  if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s.length === 0)) {
    throw new TypeError(
      `trpc-messages: ${source} must be a non-empty string (or, as an option, a list of them)`,
    );
  }
  return secrets;
}

/**
 * The secrets to use: `secret`, else the MESSAGES_SECRET environment variable, else (outside
 * production) a random one for this process, with a single warning.
 */
export function resolveSecrets(secret: Secret | undefined): readonly string[] {
  if (secret !== undefined) return secretList(secret, '{ secret }');
  const fromEnvironment = environment('MESSAGES_SECRET');
  if (fromEnvironment !== undefined) return secretList(fromEnvironment, 'MESSAGES_SECRET');
  if (inProduction()) throw new MissingSecretError();
  // Without environment variables production cannot be told apart, and a random secret per
  // isolate would make each isolate's cookies look forged to the next: the secret is required.
  if (!hasEnvironment()) {
    throw new MissingSecretError(
      ' (this runtime has no process.env, as on workerd without nodejs_compat: pass { secret }, ' +
        "e.g. from `env` of 'cloudflare:workers')",
    );
  }
  return [developmentSecret()];
}

/** One random secret for the whole process (every copy of the module), announced once. */
const developmentSecret = () =>
  processWide('development-secret', () => {
    console.warn(
      'trpc-messages: no secret configured, so a random one is used for this process: ' +
        'messages do not survive a restart. Set MESSAGES_SECRET or pass { secret }.',
    );
    return randomId(32);
  });

/** Signs values with HMAC-SHA256 under a salt, and verifies them against every secret. */
export class Signer {
  readonly #secret: Secret | undefined;
  readonly #salt: string;
  #keys: readonly HmacKey[] | undefined;
  // Values known valid, for a signer whose values come back again and again (a session cookie,
  // sent with every request): a browser's next requests skip the HMAC.
  readonly #verified: KnownValues<string> | undefined;
  readonly #rememberLength: number;

  constructor(
    secret: Secret | undefined,
    salt: string,
    options: { remember?: number; rememberLength?: number } = {},
  ) {
    // A secret passed in is checked now; one from the environment when first needed.
    if (secret !== undefined) secretList(secret, '{ secret }');
    this.#secret = secret;
    this.#salt = salt;
    const remember = options.remember ?? 0;
    this.#verified = remember > 0 ? new KnownValues(remember) : undefined;
    this.#rememberLength = options.rememberLength ?? REMEMBERED_LENGTH;
  }

  /** `value` followed by a dot and its signature; safe in a cookie when `value` is. */
  sign(value: string): string {
    const signed = `${value}.${(this.#signingKeys()[0] as HmacKey).sign(value)}`;
    this.#keep(signed, value);
    return signed;
  }

  /** The value `signed` carries if one of the secrets signed it, else undefined. */
  unsign(signed: string): string | undefined {
    const known = this.#verified?.get(signed);
    if (known !== undefined) return known;
    const value = this.#verify(signed);
    if (value !== undefined) this.#keep(signed, value);
    return value;
  }

  #keep(signed: string, value: string): void {
    if (signed.length <= this.#rememberLength) this.#verified?.set(signed, value);
  }

  // One derived key per secret and salt, so one secret can safely serve several purposes.
  #signingKeys(): readonly HmacKey[] {
    this.#keys ??= resolveSecrets(this.#secret).map((s) => hmacKey(hmacBytes(utf8(s), this.#salt)));
    return this.#keys;
  }

  #verify(signed: string): string | undefined {
    const keys = this.#signingKeys();
    const dot = signed.lastIndexOf('.');
    // Comparing the base64url text, not decoded bytes, rejects every variant spelling too.
    if (dot < 0 || signed.length - dot - 1 !== SIGNATURE_LENGTH) return undefined;
    const value = signed.slice(0, dot);
    const given = signed.slice(dot + 1);
    for (const key of keys) {
      if (sameEnd(given, key.sign(value), SIGNATURE_LENGTH)) return value;
    }
    return undefined;
  }
}

/** The length of `value` once signed. */
export function signedLength(value: string): number {
  return value.length + 1 + SIGNATURE_LENGTH;
}

// Verified values are remembered up to this length by default, which bounds the memory they take
// (a session cookie is 66).
const REMEMBERED_LENGTH = 128;

// base64url of a SHA-256 digest: 32 bytes, 43 characters.
const SIGNATURE_LENGTH = 43;
