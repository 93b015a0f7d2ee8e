import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { parse } from 'cookie';
import { forwardedHttps, type ResponseExchange, setsCookie } from './response-exchange.js';

/**
 * The cookie exchange of a Node request and response (the standalone and express adapters, or
 * any node:http handler). Set-Cookie headers are merged into the response's own, one per name,
 * so cookies the app set with `res.setHeader` or `res.appendHeader` survive.
 */
export function nodeExchange(req: IncomingMessage, res: ServerResponse): ResponseExchange {
  let cookies: Record<string, string | undefined> | undefined;
  const setCookies = (): string[] => {
    const current = res.getHeader('set-cookie');
    if (current === undefined) return [];
    return Array.isArray(current) ? [...current] : [String(current)];
  };
  return {
    secure:
      (req.socket as Partial<TLSSocket>).encrypted === true ||
      forwardedHttps(req.headers['x-forwarded-proto']?.toString()),
    cookie(name) {
      cookies ??= req.headers.cookie ? parse(req.headers.cookie) : {};
      return cookies[name];
    },
    setCookie(name, header) {
      if (res.headersSent) throw new Error(`trpc-messages: cookie ${name} set after headers left`);
      const others = setCookies().filter((h) => !setsCookie(h, name));
      res.setHeader('set-cookie', others.length === 0 ? header : [...others, header]);
    },
    setHeader(name, value) {
      if (!res.headersSent) res.setHeader(name, value);
    },
    cookiesToRepeat: setCookies,
  };
}
