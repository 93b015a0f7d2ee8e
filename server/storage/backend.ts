import type { StoredMessage } from '../../shared/message.js';
import type { CookieExchange } from '../http/cookie-exchange.js';
import type { MaybePromise } from './maybe-promise.js';
import type { MessageStore, StoreChange } from './message-store.js';

/** What a backend's step did: the messages it handed out, and those it could not keep. */
export interface Committed {
  readonly handedOut: StoredMessage[];
  readonly unstored: StoredMessage[];
}

/**
 * One request's view of where messages are kept (Django's `_get` and `_store`, made atomic).
 * A backend tracks what it read, so each step is told only what changed.
 */
export interface Backend {
  /** The stored messages, left as they are (for `count` and `peek`). */
  peek(): Promise<StoredMessage[]>;
  /**
   * One step of the request, atomic where the backend is shared between requests: removes the
   * acknowledged ids, keeps the added messages (leased, with a lease), and hands messages out
   * (see `HandOut`). Returns what it handed out and the messages it could not keep: at once
   * where the step needs no I/O (the cookie's), so the request's step takes no turn of the
   * event loop.
   */
  commit(change: StoreChange): MaybePromise<Committed>;
  /**
   * Everyone whose messages this request reads, the one it writes to first (a signed-in browser
   * writes to its user and also reads its session); starts a session if the request has none.
   * For messages sent from elsewhere (jobs, live delivery). Absent where messages live only in
   * the browser (the cookie storage).
   */
  readers?(): Recipient[];
  /**
   * The store keys this request proves it holds (its valid session cookie's, its user's),
   * without starting a session: what a message's action is checked against. Absent where
   * messages live only in the browser (the cookie storage), whose actions are bound to no one.
   */
  identities?(): string[];
  /**
   * Rotates the browser's session (sign-in, sign-out): see `Messages.rotateSession`. Returns the
   * old session's unread messages, to be stored for the request's new recipient.
   */
  rotate?(options: RotateOptions): MaybePromise<StoredMessage[]>;
}

/** How a session is rotated. */
export interface RotateOptions {
  /**
   * The user the browser is now signed in as (sign-in): its messages are kept under the user
   * from now on. Leave it out at sign-out: the browser is a visitor again, with a new session.
   */
  readonly userId?: string | number | undefined;
  /**
   * What becomes of the old session's unread messages: 'keep' (default) moves them to the new
   * recipient, 'drop' leaves them behind with the old id (a sign-out that shows nothing of the
   * signed-in user's to whoever uses the browser next).
   */
  readonly unread?: 'keep' | 'drop';
}

/**
 * Whom messages are kept for in a server store: a browser session, or a signed-in user (named by
 * the app's id, a string or a number: `{ userId: 7 }` and `{ userId: '7' }` are the same user).
 */
export type Recipient = { readonly sessionId: string } | { readonly userId: string | number };

/** The store key of a recipient: sessions and users never share one. */
export function recipientKey(recipient: Recipient): string {
  return 'userId' in recipient ? `user:${recipient.userId}` : `session:${recipient.sessionId}`;
}

/** How a request can use cookies, told to a storage when it opens a backend. */
export interface OpenOptions {
  /**
   * The response's headers leave before the request's work is done (a streamed batch, a
   * subscription): a cookie can be set only now, at open, never by `store`.
   */
  readonly headersFirst?: boolean;
  /** The browser is about to act: give it a session now, if the storage uses one. */
  readonly startSession?: boolean;
  /**
   * The signed-in user, if any: their messages are kept under their id instead of the browser's
   * session, so they follow them across devices (server-side storages).
   */
  readonly userId?: string | undefined;
  /** Told of failures the storage recovered from (a store that is down, under fallback). */
  readonly onError?: ((error: unknown) => void) | undefined;
}

/** A configured way to keep messages; opens a backend for each request. */
export interface MessageStorage {
  open(exchange: CookieExchange, options?: OpenOptions): Backend;
  /** The server store, where messages can be sent from outside a request (none for cookies). */
  readonly store?: MessageStore;
  /**
   * Whether a request's messages may stay in the browser's cookie rather than reach `store`
   * (cookieStorage, fallbackStorage): the live stream, which watches the store, misses those.
   */
  readonly keepsInCookie?: boolean;
}

/**
 * @deprecated Renamed `MessageStorage` (it shadowed the DOM's `Storage`); this name goes in 1.0.
 */
export type Storage = MessageStorage;
