import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { StoredMessage } from '../../shared/message.js';
import type { Backend, Loaded, OpenOptions, Storage } from './backend.js';
import type { CookieExchange } from './cookie-exchange.js';
import { type CookieOptions, CookieWriter } from './cookie-options.js';
import { type DecodedMessages, decodeMessages, encodeMessages } from './message-codec.js';
import { type Secret, Signer } from './signer.js';

/** The default budget for the cookie's value, in bytes (Django's limit). */
export const DEFAULT_COOKIE_BYTES = 2048;

/** Settings of the signed-cookie storage. */
export interface CookieStorageOptions {
  /** Signing secret(s): the first signs, all verify. Default: MESSAGES_SECRET. */
  readonly secret?: Secret | undefined;
  /** The most bytes the cookie's value may take (default 2048); older messages are dropped. */
  readonly maxBytes?: number;
  /** The cookie's name (default 'messages') and attributes. */
  readonly cookie?: CookieOptions;
}

/** What the cookie backend does with messages that do not fit. */
export type Overflow =
  /** Used alone: drop the oldest, keep the newest. */
  | 'drop-oldest'
  /** Under fallback: keep the oldest, hand the newest on to the next backend. */
  | 'hand-on-newest';

// Encoded values start with a format letter: 'j' JSON, 'z' deflated JSON; both base64url, so
// the value never holds a comma, semicolon, quote, backslash or space (RFC 6265).
const JSON_FORMAT = 'j';
const DEFLATE_FORMAT = 'z';
// Deflate does not pay off on short payloads and costs more than the rest of a request's work.
const COMPRESS_FROM = 200;
// Browsers drop a cookie whose name and value together pass this many bytes.
const BROWSER_COOKIE_BYTES = 4096;
// A value longer than this is not ours: reject it before verifying or inflating anything.
const MAX_INCOMING_BYTES = 16_384;
const MAX_INFLATED_BYTES = 262_144;

/** The cookie codec and signer shared by every request of one cookie storage. */
export class CookieFormat {
  readonly writer: CookieWriter;
  readonly maxBytes: number;
  readonly #signer: Signer;

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
    this.#signer = new Signer(options.secret, 'trpc-messages.cookie');
  }

  /** The signed cookie value for `messages` ('' for none). */
  encode(messages: readonly StoredMessage[], notFinished: boolean): string {
    if (messages.length === 0 && !notFinished) return '';
    const json = encodeMessages(messages, notFinished);
    const bytes = Buffer.from(json);
    let body = JSON_FORMAT + bytes.toString('base64url');
    // Never write a body that decode would refuse to inflate.
    if (json.length >= COMPRESS_FROM && bytes.length <= MAX_INFLATED_BYTES) {
      const deflated = DEFLATE_FORMAT + deflateRawSync(json).toString('base64url');
      if (deflated.length < body.length) body = deflated;
    }
    return this.#signer.sign(body);
  }

  /** The messages a cookie value holds; undefined when it is not a valid, signed value of ours. */
  decode(value: string): DecodedMessages | undefined {
    if (value.length > MAX_INCOMING_BYTES) return undefined;
    const body = this.#signer.unsign(value);
    if (body === undefined) return undefined;
    const data = Buffer.from(body.slice(1), 'base64url');
    try {
      if (body[0] === JSON_FORMAT) return decodeMessages(data.toString());
      if (body[0] === DEFLATE_FORMAT) {
        return decodeMessages(
          inflateRawSync(data, { maxOutputLength: MAX_INFLATED_BYTES }).toString(),
        );
      }
    } catch {
      // A signed but corrupt body (a bug or an old format): treat it as garbage.
    }
    return undefined;
  }

  /**
   * The longest run of `messages` that fits the budget, taken from the end (`drop-oldest`) or
   * the start (`hand-on-newest`), and the messages left out.
   */
  fit(
    messages: readonly StoredMessage[],
    overflow: Overflow,
  ): { value: string; kept: StoredMessage[]; unstored: StoredMessage[] } {
    const whole = this.encode(messages, false);
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
      const value = this.encode(take(count), true);
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

/** Thrown when the cookie storage is used on a response whose headers have already left. */
export class StreamedCookieError extends Error {
  constructor() {
    super(
      'trpc-messages: the cookie storage cannot read or write messages on a streamed response ' +
        '(httpBatchStreamLink, a subscription): its headers, and so its cookies, leave before the ' +
        'procedures run. Send the calls that touch messages through httpBatchLink with a ' +
        'splitLink, or use serverStorage() or fallbackStorage(), which keep messages on the server.',
    );
    this.name = 'StreamedCookieError';
  }
}

/** One request's signed cookie (Django's CookieStorage). */
export class CookieBackend implements Backend {
  readonly #format: CookieFormat;
  readonly #exchange: CookieExchange;
  readonly #overflow: Overflow;
  readonly #headersFirst: boolean;
  // The cookie's value as the browser will have it after this response, and what it holds.
  #value: string | undefined;
  #state: DecodedMessages | undefined;
  #taken = false;

  constructor(
    format: CookieFormat,
    exchange: CookieExchange,
    overflow: Overflow,
    options: OpenOptions = {},
  ) {
    this.#format = format;
    this.#exchange = exchange;
    this.#overflow = overflow;
    this.#headersFirst = options.headersFirst ?? false;
  }

  async load(take: boolean): Promise<Loaded> {
    // Reading is possible, but what is read could never be cleared: it would come back.
    if (this.#headersFirst) throw new StreamedCookieError();
    const state = this.#current();
    if (take) this.#taken = true;
    return { messages: state.messages, allRetrieved: !state.notFinished };
  }

  async store(added: readonly StoredMessage[]): Promise<StoredMessage[]> {
    if (this.#headersFirst) {
      if (added.length === 0) return [];
      throw new StreamedCookieError();
    }
    const state = this.#current();
    // Under fallback, a cookie that already overflowed must not take new messages: they would
    // be read before the older ones kept by the next backend.
    if (!this.#taken && state.notFinished && this.#overflow === 'hand-on-newest') return [...added];
    return this.#write(added, this.#overflow);
  }

  /**
   * Keeps `messages` the next backend could not take (a store that is down): added after the
   * cookie's own, the oldest dropped if they do not all fit. Returns those dropped.
   */
  keep(messages: readonly StoredMessage[]): StoredMessage[] {
    return this.#write(messages, 'drop-oldest');
  }

  #write(added: readonly StoredMessage[], overflow: Overflow): StoredMessage[] {
    const held = this.#taken ? [] : this.#current().messages;
    const { value, kept, unstored } = this.#format.fit([...held, ...added], overflow);
    // No cookie needs no deletion, but an empty one the browser sent does.
    if (value ? value !== this.#value : this.#value !== undefined) {
      if (value) this.#format.writer.set(this.#exchange, value);
      else this.#format.writer.delete(this.#exchange);
    }
    this.#value = value || undefined;
    this.#state = { messages: kept, notFinished: unstored.length > 0 };
    this.#taken = false;
    return unstored;
  }

  #current(): DecodedMessages {
    if (this.#state === undefined) {
      this.#value = this.#exchange.cookie(this.#format.writer.name);
      this.#state = (this.#value && this.#format.decode(this.#value)) || {
        messages: [],
        notFinished: false,
      };
    }
    return this.#state;
  }
}

/**
 * Keeps messages in a signed cookie: stateless, nothing to run on the server. Limited to about
 * 2 KB of messages, and two requests of one browser at once can overwrite each other's.
 */
export function cookieStorage(options: CookieStorageOptions = {}): Storage {
  const format = new CookieFormat(options);
  return {
    keepsInCookie: true,
    open: (exchange, options) => new CookieBackend(format, exchange, 'drop-oldest', options),
  };
}
