import type { StoredMessage } from '../../shared/message.js';
import { logError } from '../reports/log-error.js';
import type {
  Backend,
  Committed,
  MessageStorage,
  OpenOptions,
  Recipient,
  RotateOptions,
} from './backend.js';
import { CookieBackend } from './cookie/cookie-backend.js';
import { CookieFormat, type CookieStorageOptions } from './cookie/cookie-format.js';
import type { StoreChange } from './message-store.js';
import { ServerBackend } from './server-backend.js';
import { ServerSessions, type ServerStorageOptions } from './server-sessions.js';

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
  readonly #onError: (error: unknown) => void;

  constructor(cookie: CookieBackend, server: ServerBackend, onError: (error: unknown) => void) {
    this.#cookie = cookie;
    this.#server = server;
    this.#onError = onError;
  }

  async peek(): Promise<StoredMessage[]> {
    const cookie = await this.#cookie.peek();
    if (!this.#server.hasKey()) return cookie;
    try {
      return [...cookie, ...(await this.#server.peek())];
    } catch (error) {
      // The store is down: what the cookie holds is still there.
      this.#onError(error);
      return cookie;
    }
  }

  async commit(change: StoreChange): Promise<Committed> {
    // A signed-in user's messages follow them across devices: never into one browser's cookie.
    const signedIn = this.#server.signedIn;
    const cookie = await this.#cookie.commit(signedIn ? { ...change, added: [] } : change);
    const toStore = signedIn ? [...cookie.unstored, ...(change.added ?? [])] : cookie.unstored;
    // Unlike Django, the store is read whenever the browser has a session (or a user is signed
    // in), not only when the cookie says it overflowed: streamed responses and jobs put messages
    // in the store without any mark in the cookie. Otherwise the store is not touched at all.
    if (toStore.length === 0 && !this.#server.hasKey()) return cookie;
    try {
      const server = await this.#server.commit({ ...change, added: toStore });
      return { handedOut: [...cookie.handedOut, ...server.handedOut], unstored: server.unstored };
    } catch (error) {
      // The store is down: keep what it could not take in the cookie, after the cookie's own
      // (which stay) and as much as fits, the newest dropped; hand it out as the store would have.
      this.#onError(error);
      const { kept, dropped } = this.#cookie.keep(toStore, change.lease);
      const handsOutKept = change.handOut === 'own' || change.handOut === 'all';
      return {
        handedOut: handsOutKept ? [...cookie.handedOut, ...kept] : cookie.handedOut,
        unstored: dropped,
      };
    }
  }

  readers(): Recipient[] {
    return this.#server.readers();
  }

  identities(): string[] {
    return this.#server.identities();
  }

  /** Rotates the store's session; the cookie's messages are the browser's own, dropped if asked. */
  async rotate(options: RotateOptions): Promise<StoredMessage[]> {
    if (options.unread === 'drop') this.#cookie.rotate(options);
    return this.#server.rotate(options);
  }
}

/**
 * Keeps messages in the signed cookie while they fit, and the rest in a server store: no server
 * I/O for most requests, no limit on size. The store is read only by browsers it gave a session
 * to (when the cookie overflowed, or on a streamed response).
 */
export function fallbackStorage(options: FallbackStorageOptions = {}): MessageStorage {
  const format = new CookieFormat({ ...options.cookie, secret: options.secret });
  const sessions = new ServerSessions({ ...options.server, secret: options.secret });
  return {
    store: sessions.store,
    keepsInCookie: true,
    open(exchange, options: OpenOptions = {}) {
      // No session up front otherwise: with one, every consume would read the store.
      const server = new ServerBackend(sessions, exchange, {
        headersFirst: options.headersFirst ?? false,
        userId: options.userId,
        onError: options.onError,
      });
      // On a streamed response the cookie can be neither written nor cleared: use the store
      // alone, and leave what the cookie holds for a later request.
      if (options.headersFirst) return server;
      const cookie = new CookieBackend(format, exchange, 'hand-on-newest');
      return new FallbackBackend(cookie, server, options.onError ?? logError);
    },
  };
}
