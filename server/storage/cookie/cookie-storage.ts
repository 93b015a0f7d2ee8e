import type { MessageStorage } from '../backend.js';
import { CookieBackend } from './cookie-backend.js';
import { CookieFormat, type CookieStorageOptions } from './cookie-format.js';

export { StreamedCookieError } from './cookie-backend.js';
export { type CookieStorageOptions, DEFAULT_COOKIE_BYTES } from './cookie-format.js';

/**
 * Keeps messages in a signed cookie: stateless, nothing to run on the server. Limited to about
 * 2 KB of messages, and two requests of one browser at once can overwrite each other's.
 */
export function cookieStorage(options: CookieStorageOptions = {}): MessageStorage {
  const format = new CookieFormat(options);
  return {
    keepsInCookie: true,
    open: (exchange, options) => new CookieBackend(format, exchange, 'drop-oldest', options),
  };
}
