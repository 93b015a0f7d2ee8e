import { type SerializeOptions, serialize } from 'cookie';
import type { CookieExchange } from './cookie-exchange.js';

/** Attributes of a cookie the storages set; the defaults are the safe ones. */
export interface CookieOptions {
  /** The cookie's name. */
  readonly name?: string;
  /** Default '/'. */
  readonly path?: string;
  /** Default none: the cookie goes back to the host that set it only. */
  readonly domain?: string;
  /** Default 'auto': Secure on https requests and whenever NODE_ENV is production. */
  readonly secure?: boolean | 'auto';
  /** Default true: page scripts cannot read the cookie. */
  readonly httpOnly?: boolean;
  /** Default 'lax'. */
  readonly sameSite?: 'lax' | 'strict' | 'none';
  /** Lifetime in seconds; default none, a browser-session cookie. */
  readonly maxAge?: number;
  /** Default false; partitioned (CHIPS) cookies for third-party contexts. */
  readonly partitioned?: boolean;
}

/** Writes one named cookie, with its attributes, into cookie exchanges. */
export class CookieWriter {
  readonly name: string;
  readonly #attributes: SerializeOptions;
  readonly #secure: boolean | 'auto';

  constructor(options: CookieOptions, defaultName: string) {
    this.name = options.name ?? defaultName;
    this.#secure = options.secure ?? 'auto';
    this.#attributes = {
      path: options.path ?? '/',
      httpOnly: options.httpOnly ?? true,
      sameSite: options.sameSite ?? 'lax',
      ...(options.domain === undefined ? {} : { domain: options.domain }),
      ...(options.maxAge === undefined ? {} : { maxAge: options.maxAge }),
      ...(options.partitioned ? { partitioned: true } : {}),
    };
    // Fail at start-up, not on the first response: `serialize` validates name and attributes.
    serialize(this.name, '', this.#attributes);
  }

  /** Sets the cookie to `value` (a cookie-safe string). */
  set(exchange: CookieExchange, value: string): void {
    exchange.setCookie(this.name, serialize(this.name, value, this.#with(exchange)));
  }

  /** Tells the browser to delete the cookie. */
  delete(exchange: CookieExchange): void {
    const attributes = { ...this.#with(exchange), maxAge: 0, expires: new Date(0) };
    exchange.setCookie(this.name, serialize(this.name, '', attributes));
  }

  #with(exchange: CookieExchange): SerializeOptions {
    const secure =
      this.#secure === 'auto'
        ? exchange.secure || process.env.NODE_ENV === 'production'
        : this.#secure;
    return { ...this.#attributes, secure };
  }
}
