import type { CookieExchange } from './cookie-exchange.js';

/** A cookie exchange over a real request and response, which can also read and set headers. */
export interface ResponseExchange extends CookieExchange {
  /** The value of the request's header `name` (lower case), if it sent one. */
  requestHeader(name: string): string | undefined;
  /** The request's HTTP method. */
  readonly method: string;
  /** Whether the request came from a page of another origin (its Origin is not this host). */
  readonly crossOrigin: boolean;
  /** Whether the client has gone (its connection closed): the response can no longer reach it. */
  readonly gone: boolean;
  /** Sets a response header, replacing its value; does nothing once the headers have left. */
  setHeader(name: string, value: string): void;
  /** Adds `value` to a response header's comma-separated list, unless it is there already. */
  addToHeaderList(name: string, value: string): void;
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

/** `list` (a comma-separated header value) with `value` added, unless it is there already. */
export function withListItem(list: string | undefined, value: string): string {
  if (!list) return value;
  const items = list.split(',').map((item) => item.trim().toLowerCase());
  return items.includes(value.toLowerCase()) ? list : `${list}, ${value}`;
}

/** Whether a request's `Origin` names another host than its `Host` (a cross-origin request). */
export function fromOtherOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin) return false;
  const start = origin.indexOf('//');
  return start < 0 || origin.slice(start + 2) !== host;
}
