import { RequestCookies } from './cookie-exchange.js';
import {
  forwardedHttps,
  fromOtherOrigin,
  type ResponseExchange,
  setsCookie,
  withListItem,
} from './response-exchange.js';

/**
 * The cookie exchange of a fetch Request and the response headers the fetch adapter sends
 * (Hono, Next.js route handlers, Bun, Deno, edge-style servers). Set-Cookie headers are appended,
 * one per name, next to the app's own.
 */
export function fetchExchange(req: Request, resHeaders: Headers): ResponseExchange {
  return new FetchExchange(req, resHeaders);
}

// A class rather than an object of closures: one is made for every request.
class FetchExchange extends RequestCookies implements ResponseExchange {
  readonly #req: Request;
  readonly #resHeaders: Headers;

  constructor(req: Request, resHeaders: Headers) {
    super();
    this.#req = req;
    this.#resHeaders = resHeaders;
  }

  get secure(): boolean {
    return (
      this.#req.url.startsWith('https:') ||
      forwardedHttps(this.#req.headers.get('x-forwarded-proto'))
    );
  }

  protected cookieHeader(): string | null {
    return this.#req.headers.get('cookie');
  }

  get method(): string {
    return this.#req.method;
  }

  get gone(): boolean {
    return this.#req.signal.aborted;
  }

  get crossOrigin(): boolean {
    const origin = this.#req.headers.get('origin') ?? undefined;
    return fromOtherOrigin(origin, this.#req.headers.get('host') ?? new URL(this.#req.url).host);
  }

  requestHeader(name: string): string | undefined {
    return this.#req.headers.get(name) ?? undefined;
  }

  setCookie(name: string, header: string): void {
    // Headers can only delete every Set-Cookie at once: keep the others and append again.
    const others = this.#resHeaders.getSetCookie().filter((h) => !setsCookie(h, name));
    this.#resHeaders.delete('set-cookie');
    for (const h of [...others, header]) this.#resHeaders.append('set-cookie', h);
  }

  setHeader(name: string, value: string): void {
    this.#resHeaders.set(name, value);
  }

  addToHeaderList(name: string, value: string): void {
    this.#resHeaders.set(name, withListItem(this.#resHeaders.get(name) ?? undefined, value));
  }

  // The fetch adapter appends responseMeta's cookies to these headers: nothing is lost.
  cookiesToRepeat(): string[] {
    return [];
  }
}
