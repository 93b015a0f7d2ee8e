import { parse } from 'cookie';

/** What a storage needs from one HTTP exchange: the request's cookies and a way to set one. */
export interface CookieExchange {
  /** The value of the request's cookie `name`, if it sent one. */
  cookie(name: string): string | undefined;
  /** Sets the response's Set-Cookie header for `name`; a later call for the same name replaces it. */
  setCookie(name: string, header: string): void;
  /** Whether the request came over https (cookies then get `Secure` by default). */
  readonly secure: boolean;
}

/** The cookie reading every exchange shares: the request's Cookie header, parsed on first use. */
export abstract class RequestCookies {
  #cookies: Record<string, string | undefined> | undefined;

  /** The request's Cookie header, if it sent one. */
  protected abstract cookieHeader(): string | null | undefined;

  /** The value of the request's cookie `name`, if it sent one. */
  cookie(name: string): string | undefined {
    if (this.#cookies === undefined) {
      const header = this.cookieHeader();
      this.#cookies = header ? parse(header) : {};
    }
    return this.#cookies[name];
  }
}

/** A cookie exchange over a raw `Cookie` header that collects the Set-Cookie headers to send. */
export interface HeaderCookieExchange extends CookieExchange {
  /** The Set-Cookie headers to send, one per cookie name. */
  setCookieHeaders(): string[];
}

/** Builds a cookie exchange from a request's `Cookie` header; the header is parsed on first use. */
export function createCookieExchange(
  cookieHeader: string | null | undefined,
  options: { secure: boolean },
): HeaderCookieExchange {
  return new HeaderExchange(cookieHeader, options.secure);
}

// A class rather than an object of closures: one is made for every request.
class HeaderExchange extends RequestCookies implements HeaderCookieExchange {
  readonly secure: boolean;
  readonly #cookieHeader: string | null | undefined;
  // Made by the first Set-Cookie: a response that sets none needs none.
  #outgoing: Map<string, string> | undefined;

  constructor(cookieHeader: string | null | undefined, secure: boolean) {
    super();
    this.#cookieHeader = cookieHeader;
    this.secure = secure;
  }

  protected cookieHeader(): string | null | undefined {
    return this.#cookieHeader;
  }

  setCookie(name: string, header: string): void {
    this.#outgoing ??= new Map();
    this.#outgoing.set(name, header);
  }

  setCookieHeaders(): string[] {
    return this.#outgoing ? [...this.#outgoing.values()] : [];
  }
}
