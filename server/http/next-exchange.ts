import { parseSetCookie } from 'cookie';
import type { cookies, headers } from 'next/headers.js';
import { CLIENT_HEADER } from '../../shared/delivery.js';
import { forwardedHttps, fromOtherOrigin, type ResponseExchange } from './response-exchange.js';

/** What `headers()` from `next/headers` resolves to. */
export type NextHeaders = Awaited<ReturnType<typeof headers>>;

/** What `cookies()` from `next/headers` resolves to. */
export type NextCookies = Awaited<ReturnType<typeof cookies>>;

/** How a Next.js exchange may answer: what it can write, and whom it speaks for. */
export interface NextExchangeOptions {
  /**
   * Cookies can be set (Server Actions, route handlers). A server component cannot: the cookies
   * it would set are left unset, never an error.
   */
  readonly writable: boolean;
  /** The request's method (a Server Action's is POST, a page's GET). */
  readonly method: string;
  /**
   * The client header to read in place of the request's (see `CLIENT_HEADER`): a server component
   * takes messages as a holder of its own, the page it renders.
   */
  readonly clientHeader?: string;
}

/**
 * The cookie exchange of a Next.js request as `headers()` and `cookies()` see it: in a Server
 * Action its cookies are set through `cookies().set`; in a server component nothing is written.
 */
export function nextExchange(
  headerList: NextHeaders,
  cookieStore: NextCookies,
  options: NextExchangeOptions,
): ResponseExchange {
  return new NextExchange(headerList, cookieStore, options);
}

class NextExchange implements ResponseExchange {
  readonly #headers: NextHeaders;
  readonly #cookies: NextCookies;
  readonly #options: NextExchangeOptions;

  constructor(headerList: NextHeaders, cookieStore: NextCookies, options: NextExchangeOptions) {
    this.#headers = headerList;
    this.#cookies = cookieStore;
    this.#options = options;
  }

  get secure(): boolean {
    return forwardedHttps(this.#headers.get('x-forwarded-proto'));
  }

  get method(): string {
    return this.#options.method;
  }

  get gone(): boolean {
    return false;
  }

  get crossOrigin(): boolean {
    return fromOtherOrigin(
      this.#headers.get('origin') ?? undefined,
      this.#headers.get('x-forwarded-host') ?? this.#headers.get('host') ?? undefined,
    );
  }

  cookie(name: string): string | undefined {
    return this.#cookies.get(name)?.value;
  }

  requestHeader(name: string): string | undefined {
    if (name === CLIENT_HEADER && this.#options.clientHeader !== undefined) {
      return this.#options.clientHeader;
    }
    return this.#headers.get(name) ?? undefined;
  }

  setCookie(_name: string, header: string): void {
    if (!this.#options.writable) return;
    const { name, value, ...attributes } = parseSetCookie(header);
    const { expires, maxAge, domain, path, httpOnly, secure, partitioned, priority } = attributes;
    const sameSite = attributes.sameSite;
    this.#cookies.set({
      name,
      value: value ?? '',
      ...(expires === undefined ? {} : { expires }),
      ...(maxAge === undefined ? {} : { maxAge }),
      ...(domain === undefined ? {} : { domain }),
      ...(path === undefined ? {} : { path }),
      ...(httpOnly === undefined ? {} : { httpOnly }),
      ...(secure === undefined ? {} : { secure }),
      ...(partitioned === undefined ? {} : { partitioned }),
      ...(priority === undefined ? {} : { priority }),
      ...(typeof sameSite === 'string' ? { sameSite } : {}),
    });
  }

  // Neither a Server Action nor a server component has response headers of its own to set.
  setHeader(): void {}

  addToHeaderList(): void {}

  cookiesToRepeat(): string[] {
    return [];
  }
}
