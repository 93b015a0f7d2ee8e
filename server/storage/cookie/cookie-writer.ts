import { type SerializeOptions, serialize } from 'cookie';
import type { CookieExchange } from '../../http/cookie-exchange.js';
import { inProduction } from '../../runtime/environment.js';

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
  readonly #secure: boolean | 'auto';
  // The attributes are fixed per writer, but for Secure: serialize them once per variant, since
  // `serialize` re-validates everything on each call and costs more than the rest of a request.
  // Values written are base64url and dots by construction, so they need no validation.
  readonly #suffix: { readonly [secure: string]: string };
  readonly #deletion: { readonly [secure: string]: string };

  constructor(options: CookieOptions, defaultName: string) {
    this.name = options.name ?? defaultName;
    // Browsers reject SameSite=None and Partitioned cookies that are not Secure.
    const mustBeSecure = options.sameSite === 'none' || options.partitioned === true;
    if (mustBeSecure && options.secure === false) {
      throw new RangeError(
        'trpc-messages: a cookie with sameSite "none" or partitioned must be Secure; drop secure: false',
      );
    }
    const secure = mustBeSecure ? true : (options.secure ?? 'auto');
    // Production settles it once; reading the environment on every response costs more than signing.
    this.#secure = secure === 'auto' && inProduction() ? true : secure;
    const attributes: SerializeOptions = {
      path: options.path ?? '/',
      httpOnly: options.httpOnly ?? true,
      sameSite: options.sameSite ?? 'lax',
      ...(options.domain === undefined ? {} : { domain: options.domain }),
      ...(options.maxAge === undefined ? {} : { maxAge: options.maxAge }),
      ...(options.partitioned ? { partitioned: true } : {}),
    };
    const prefix = `${this.name}=`;
    const suffix = (secure: boolean) =>
      serialize(this.name, '', { ...attributes, secure }).slice(prefix.length);
    const deletion = (secure: boolean) =>
      serialize(this.name, '', { ...attributes, secure, maxAge: 0, expires: new Date(0) });
    this.#suffix = { true: suffix(true), false: suffix(false) };
    this.#deletion = { true: deletion(true), false: deletion(false) };
  }

  /** Sets the cookie to `value`, which must be made of cookie-safe characters only. */
  set(exchange: CookieExchange, value: string): void {
    exchange.setCookie(
      this.name,
      `${this.name}=${value}${this.#suffix[String(this.#isSecure(exchange))]}`,
    );
  }

  /** Tells the browser to delete the cookie. */
  delete(exchange: CookieExchange): void {
    exchange.setCookie(this.name, this.#deletion[String(this.#isSecure(exchange))] as string);
  }

  #isSecure(exchange: CookieExchange): boolean {
    return this.#secure === 'auto' ? exchange.secure : this.#secure;
  }
}
