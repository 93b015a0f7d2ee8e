import type { CookieExchange } from '../storage/cookie-exchange.js';

/** A cookie exchange over a real response, which can also set plain headers. */
export interface ResponseExchange extends CookieExchange {
  /** Sets a response header, replacing its value; does nothing once the headers have left. */
  setHeader(name: string, value: string): void;
  /**
   * The Set-Cookie headers to repeat when the app's `responseMeta` sets cookies too: the node
   * adapters replace the response's own Set-Cookie headers with those of `responseMeta`.
   */
  cookiesToRepeat(): string[];
}

/** Whether a Set-Cookie header sets the cookie `name`. */
export function setsCookie(header: string, name: string): boolean {
  return header.startsWith(`${name}=`);
}

/** Whether a forwarding proxy says the browser's request came over https. */
export function forwardedHttps(forwardedProto: string | null | undefined): boolean {
  return forwardedProto?.split(',')[0]?.trim().toLowerCase() === 'https';
}
