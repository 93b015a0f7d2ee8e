import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { RequestCookies } from './cookie-exchange.js';
import {
  forwardedHttps,
  fromOtherOrigin,
  type ResponseExchange,
  setsCookie,
  withListItem,
} from './response-exchange.js';

/**
 * The cookie exchange of a Node request and response (the standalone and express adapters, or
 * any node:http handler). Set-Cookie headers are merged into the response's own, one per name,
 * so cookies the app set with `res.setHeader` or `res.appendHeader` survive.
 */
export function nodeExchange(req: IncomingMessage, res: ServerResponse): ResponseExchange {
  return new NodeExchange(req, res);
}

// A class rather than an object of closures: one is made for every request.
class NodeExchange extends RequestCookies implements ResponseExchange {
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;

  constructor(req: IncomingMessage, res: ServerResponse) {
    super();
    this.#req = req;
    this.#res = res;
  }

  get secure(): boolean {
    return (
      (this.#req.socket as Partial<TLSSocket>).encrypted === true ||
      forwardedHttps(this.#req.headers['x-forwarded-proto']?.toString())
    );
  }

  protected cookieHeader(): string | undefined {
    return this.#req.headers.cookie;
  }

  get method(): string {
    return this.#req.method ?? 'GET';
  }

  get gone(): boolean {
    return this.#req.socket.destroyed && !this.#res.writableFinished;
  }

  get crossOrigin(): boolean {
    return fromOtherOrigin(this.#req.headers.origin, this.#req.headers.host);
  }

  requestHeader(name: string): string | undefined {
    const value = this.#req.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  setCookie(name: string, header: string): void {
    if (this.#res.headersSent) {
      throw new Error(`trpc-messages: cookie ${name} set after headers left`);
    }
    const others = this.cookiesToRepeat().filter((h) => !setsCookie(h, name));
    this.#res.setHeader('set-cookie', others.length === 0 ? header : [...others, header]);
  }

  setHeader(name: string, value: string): void {
    if (!this.#res.headersSent) this.#res.setHeader(name, value);
  }

  addToHeaderList(name: string, value: string): void {
    const current = this.#res.getHeader(name);
    this.setHeader(name, withListItem(current === undefined ? undefined : String(current), value));
  }

  cookiesToRepeat(): string[] {
    const current = this.#res.getHeader('set-cookie');
    if (current === undefined) return [];
    return Array.isArray(current) ? [...current] : [String(current)];
  }
}
