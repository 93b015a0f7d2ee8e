import { deflateSync, inflateSync } from 'fflate';
import type { StoredMessage } from '../../../shared/message.js';
import { KnownValues } from '../../crypto/known-values.js';
import { type Secret, Signer } from '../../crypto/signer.js';
import { DEFAULT_MAX_AGE_SECONDS, TimestampSigner } from '../../crypto/timestamp-signer.js';
import {
  fromBase64url,
  textToBase64url,
  toBase64url,
  trustedBase64urlToText,
} from '../../encoding/base64url.js';
import { fromUtf8, utf8 } from '../../encoding/utf8.js';
import { positiveInteger } from '../../runtime/positive-integer.js';
import { type DecodedMessages, decodeMessages, encodeMessages } from '../message-codec.js';
import type { HeldLease } from '../message-store.js';
import { type CookieOptions, CookieWriter } from './cookie-writer.js';

/** The default budget for the cookie's value, in bytes (Django's limit). */
export const DEFAULT_COOKIE_BYTES = 2048;

/** Settings of the signed-cookie storage. */
export interface CookieStorageOptions {
  /** Signing secret(s): the first signs, all verify. Default: MESSAGES_SECRET. */
  readonly secret?: Secret | undefined;
  /** The most bytes the cookie's value may take (default 2048); older messages are dropped. */
  readonly maxBytes?: number;
  /**
   * The cookie's name (default 'messages') and attributes. Its signature is accepted for
   * `maxAge` seconds after it was last written (default 14 days), whatever the browser keeps.
   */
  readonly cookie?: CookieOptions;
}

/** What the cookie backend does with messages that do not fit. */
export type Overflow =
  /** Used alone: drop the oldest, keep the newest. */
  | 'drop-oldest'
  /** Under fallback: keep the oldest, hand the newest on to the next backend. */
  | 'hand-on-newest';

// Encoded values start with a format letter: 'j' JSON, 'z' deflated JSON (raw DEFLATE); both
// base64url, so the value never holds a comma, semicolon, quote, backslash or space (RFC 6265).
const JSON_FORMAT = 'j';
const DEFLATE_FORMAT = 'z';
// Browsers drop a cookie whose name and value together pass this many bytes.
const BROWSER_COOKIE_BYTES = 4096;
// A value longer than this is not ours: reject it before verifying or inflating anything.
const MAX_INCOMING_BYTES = 16_384;
const MAX_INFLATED_BYTES = 262_144;
// Values remembered with what they hold: at most 256 of up to maxBytes each (a megabyte or two
// at worst, for values of the largest maxBytes).
const REMEMBERED_VALUES = 256;

/** A value read or written before, with what it holds and when it was signed. */
interface Remembered {
  readonly state: DecodedMessages;
  readonly issuedAt: number | undefined;
}

/** The cookie codec and signer shared by every request of one cookie storage. */
export class CookieFormat {
  readonly writer: CookieWriter;
  readonly maxBytes: number;
  readonly #signer: TimestampSigner;
  // The values this process wrote or read come back with the browser's next requests:
  // remembered with what they hold, they are neither verified nor decoded again.
  readonly #known = new KnownValues<Remembered>(REMEMBERED_VALUES);

  constructor(options: CookieStorageOptions) {
    this.writer = new CookieWriter(options.cookie ?? {}, 'messages');
    this.maxBytes = options.maxBytes ?? DEFAULT_COOKIE_BYTES;
    const most = BROWSER_COOKIE_BYTES - this.writer.name.length - 1;
    if (!Number.isInteger(this.maxBytes) || this.maxBytes < 256 || this.maxBytes > most) {
      throw new RangeError(
        `trpc-messages: the cookie's maxBytes must be an integer from 256 to ${most} ` +
          `(browsers drop larger cookies), got ${this.maxBytes}`,
      );
    }
    const maxAge = positiveInteger(
      options.cookie?.maxAge ?? DEFAULT_MAX_AGE_SECONDS,
      "the cookie's maxAge",
    );
    this.#signer = new TimestampSigner(new Signer(options.secret, 'trpc-messages.cookie'), maxAge);
  }

  /** The signed cookie value for `messages` and their leases ('' for none). */
  encode(
    messages: readonly StoredMessage[],
    notFinished: boolean,
    leases?: ReadonlyMap<string, HeldLease>,
  ): string {
    if (messages.length === 0 && !notFinished) return '';
    const json = encodeMessages(messages, notFinished, leases);
    const plain = JSON_FORMAT + textToBase64url(json);
    // Deflate only what does not fit as it is: it costs more than the rest of a request's work,
    // and never a body that decode would refuse to inflate. (fflate: synchronous and pure JS,
    // so the cookie reads and writes alike on every runtime.)
    if (this.#signer.signedLength(plain) <= this.maxBytes) return this.#signer.sign(plain);
    const bytes = utf8(json);
    if (bytes.length > MAX_INFLATED_BYTES) return this.#signer.sign(plain);
    const deflated = DEFLATE_FORMAT + toBase64url(deflateSync(bytes));
    return this.#signer.sign(deflated.length < plain.length ? deflated : plain);
  }

  /** The messages a cookie value holds; undefined when it is not a valid, signed value of ours. */
  decode(value: string): DecodedMessages | undefined {
    if (value.length > MAX_INCOMING_BYTES) return undefined;
    const known = this.#known.get(value);
    if (known !== undefined) return this.#signer.isYoung(known.issuedAt) ? known.state : undefined;
    const signed = this.#signer.unsign(value);
    const read = signed && this.#read(signed.value);
    if (read !== undefined)
      this.#known.set(value, { state: freeze(read), issuedAt: signed?.issuedAt });
    return read;
  }

  /**
   * Remembers that `value`, which `fit` just made for `state`, holds it: the value's next reader
   * in this process skips verifying and decoding it. Not a state that decoding might not give
   * back exactly (see `readsBack`): that value's reader decodes it.
   */
  remember(value: string, state: DecodedMessages): void {
    // Signed just now (to the second, which is all a value tells of its time).
    const issuedAt = Math.floor(Date.now() / 1000) * 1000;
    if (readsBack(state)) this.#known.set(value, { state: freeze(state), issuedAt });
  }

  /** The messages a verified body holds: its format letter, then base64url. */
  #read(body: string): DecodedMessages | undefined {
    try {
      // Signed here, so base64url of UTF-8 JSON: read without checking either again.
      if (body[0] === JSON_FORMAT) {
        const json = trustedBase64urlToText(body.slice(1));
        return json === undefined ? undefined : decodeMessages(json);
      }
      const data = body[0] === DEFLATE_FORMAT ? fromBase64url(body.slice(1)) : undefined;
      if (data !== undefined) {
        // Only a value signed here is inflated, and its input is bounded: so is the work.
        const inflated = inflateSync(data);
        if (inflated.length <= MAX_INFLATED_BYTES) return decodeMessages(fromUtf8(inflated));
      }
    } catch {
      // A signed but corrupt body (a bug or an old format): treat it as garbage.
    }
    return undefined;
  }

  /**
   * The longest run of `messages` that fits the budget, taken from the end (`drop-oldest`) or
   * the start (`hand-on-newest`), and the messages left out; marked "not finished" when some are
   * left out or `notFinished` says others are elsewhere already.
   */
  fit(
    messages: readonly StoredMessage[],
    overflow: Overflow,
    leases?: ReadonlyMap<string, HeldLease>,
    notFinished = false,
  ): { value: string; kept: StoredMessage[]; unstored: StoredMessage[] } {
    const whole = this.encode(messages, notFinished, leases);
    if (whole.length <= this.maxBytes) return { value: whole, kept: [...messages], unstored: [] };
    const take = (count: number) =>
      overflow === 'drop-oldest'
        ? messages.slice(messages.length - count)
        : messages.slice(0, count);
    // Binary search on how many to keep; every candidate is encoded, so the answer always fits
    // even where compression makes size not quite monotonic in the count.
    let low = 0;
    let high = messages.length - 1;
    let best = { count: 0, value: this.encode([], true) };
    while (low <= high) {
      const count = (low + high) >> 1;
      const value = this.encode(take(count), true, leases);
      if (value.length <= this.maxBytes) {
        best = { count, value };
        low = count + 1;
      } else {
        high = count - 1;
      }
    }
    const kept = take(best.count);
    const unstored =
      overflow === 'drop-oldest'
        ? messages.slice(0, messages.length - best.count)
        : messages.slice(best.count);
    return { value: best.value, kept, unstored };
  }
}

/**
 * Whether decoding the value encoded from `state` surely gives `state` back: every message is a
 * plain object of the four parts every message has and no other, each as decodeMessages reads it
 * (a level of -0 would come back 0), and every lease is valid. Else (a message with more parts,
 * such as a key or an action) the value's reader decodes it: the codec alone says what it holds.
 */
function readsBack(state: DecodedMessages): boolean {
  for (const message of state.messages) {
    const { id, level, extraTags } = message;
    if (Object.getPrototypeOf(message) !== Object.prototype) return false;
    if (Object.keys(message).length !== 4 || typeof message.message !== 'string') return false;
    if (typeof id !== 'string' || id.length === 0 || typeof extraTags !== 'string') return false;
    if (!Number.isInteger(level) || Object.is(level, -0)) return false;
  }
  for (const { holder, until } of state.leases?.values() ?? []) {
    if (typeof holder !== 'string' || holder.length === 0 || !Number.isSafeInteger(until)) {
      return false;
    }
  }
  return true;
}

/** `state` with its list of messages frozen: a remembered state is shared by every reader. */
function freeze(state: DecodedMessages): DecodedMessages {
  Object.freeze(state.messages);
  return state;
}
