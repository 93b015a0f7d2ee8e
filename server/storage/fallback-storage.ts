import type { StoredMessage } from '../../shared/message.js';
import type { Backend, Loaded, OpenOptions, Storage } from './backend.js';
import { CookieBackend, CookieFormat, type CookieStorageOptions } from './cookie-storage.js';
import { ServerBackend, ServerSessions, type ServerStorageOptions } from './server-storage.js';

/** Settings of the fallback storage: the cookie's and the server store's. */
export interface FallbackStorageOptions {
  /** Secret(s) for both cookies. Default: MESSAGES_SECRET. */
  readonly secret?: CookieStorageOptions['secret'];
  /** The messages cookie: its byte budget and attributes. */
  readonly cookie?: Omit<CookieStorageOptions, 'secret'>;
  /** The store for what the cookie cannot hold, and its session cookie. */
  readonly server?: Omit<ServerStorageOptions, 'secret'>;
}

/** One request's cookie, then server store for the overflow (Django's FallbackStorage). */
export class FallbackBackend implements Backend {
  readonly #cookie: CookieBackend;
  readonly #server: ServerBackend;

  constructor(cookie: CookieBackend, server: ServerBackend) {
    this.#cookie = cookie;
    this.#server = server;
  }

  async load(take: boolean): Promise<Loaded> {
    // Unlike Django, the store is read whenever the browser has a session, not only when the
    // cookie says it overflowed: streamed responses (and jobs) put messages in the store without
    // any mark in the cookie. Without a session the store is not touched at all. The cookie is
    // taken last, once the store's read succeeded: a failed load must take nothing, or the
    // cookie would be deleted at the end of the request with the messages it held.
    const cookie = await this.#cookie.load(false);
    const server = this.#server.hasSession() ? await this.#server.load(take) : undefined;
    if (take) await this.#cookie.load(true);
    if (server === undefined) return cookie;
    return {
      messages: [...cookie.messages, ...server.messages],
      allRetrieved: server.allRetrieved,
    };
  }

  async store(added: readonly StoredMessage[]): Promise<StoredMessage[]> {
    const overflow = await this.#cookie.store(added);
    return this.#server.store(overflow);
  }
}

/**
 * Keeps messages in the signed cookie while they fit, and the rest in a server store: no server
 * I/O for most requests, no limit on size. The store is read only by browsers it gave a session
 * to (when the cookie overflowed, or on a streamed response).
 */
export function fallbackStorage(options: FallbackStorageOptions = {}): Storage {
  const format = new CookieFormat({ ...options.cookie, secret: options.secret });
  const sessions = new ServerSessions({ ...options.server, secret: options.secret });
  return {
    open(exchange, options?: OpenOptions) {
      // No session up front otherwise: with one, every consume would read the store.
      const server = new ServerBackend(sessions, exchange, {
        headersFirst: options?.headersFirst ?? false,
      });
      // On a streamed response the cookie can be neither written nor cleared: use the store
      // alone, and leave what the cookie holds for a later request.
      if (options?.headersFirst) return server;
      return new FallbackBackend(new CookieBackend(format, exchange, 'hand-on-newest'), server);
    },
  };
}
