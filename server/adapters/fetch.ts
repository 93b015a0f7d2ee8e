import { parse } from 'cookie';
import { forwardedHttps, type ResponseExchange, setsCookie } from './response-exchange.js';

/**
 * The cookie exchange of a fetch Request and the response headers the fetch adapter sends
 * (Hono, Next.js route handlers, Bun, Deno, edge-style servers). Set-Cookie headers are appended,
 * one per name, next to the app's own.
 */
export function fetchExchange(req: Request, resHeaders: Headers): ResponseExchange {
  let cookies: Record<string, string | undefined> | undefined;
  return {
    secure: req.url.startsWith('https:') || forwardedHttps(req.headers.get('x-forwarded-proto')),
    cookie(name) {
      if (cookies === undefined) {
        const header = req.headers.get('cookie');
        cookies = header ? parse(header) : {};
      }
      return cookies[name];
    },
    setCookie(name, header) {
      // Headers can only delete every Set-Cookie at once: keep the others and append again.
      const others = resHeaders.getSetCookie().filter((h) => !setsCookie(h, name));
      resHeaders.delete('set-cookie');
      for (const h of [...others, header]) resHeaders.append('set-cookie', h);
    },
    setHeader(name, value) {
      resHeaders.set(name, value);
    },
    // The fetch adapter appends responseMeta's cookies to these headers: nothing is lost.
    cookiesToRepeat: () => [],
  };
}
