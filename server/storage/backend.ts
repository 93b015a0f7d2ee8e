import type { StoredMessage } from '../../shared/message.js';
import type { CookieExchange } from './cookie-exchange.js';

/** What a backend's load returns: the stored messages and whether they are all there were. */
export interface Loaded {
  readonly messages: readonly StoredMessage[];
  /** False when the backend knows more messages were meant for it than it holds (cookie overflow). */
  readonly allRetrieved: boolean;
}

/**
 * One request's view of where messages are kept (Django's `_get` and `_store`, made atomic).
 * A backend tracks what it loaded, so `store` is told only what changed.
 */
export interface Backend {
  /**
   * Reads the stored messages. With `take`, the read also removes them (atomically, where the
   * backend is shared between requests): they now belong to this request.
   */
  load(take: boolean): Promise<Loaded>;
  /**
   * Persists the request's outcome: what it held, less what `load(true)` took, plus `added`.
   * Returns the messages it could not keep.
   */
  store(added: readonly StoredMessage[]): Promise<StoredMessage[]>;
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
}

/** A configured way to keep messages; opens a backend for each request. */
export interface Storage {
  open(exchange: CookieExchange, options?: OpenOptions): Backend;
}
