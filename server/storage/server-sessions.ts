import { randomId } from '../crypto/random-id.js';
import { type Secret, Signer } from '../crypto/signer.js';
import { DEFAULT_MAX_AGE_SECONDS, TimestampSigner } from '../crypto/timestamp-signer.js';
import type { CookieExchange } from '../http/cookie-exchange.js';
import { positiveInteger } from '../runtime/positive-integer.js';
import { processMemoryStore } from '../stores/memory/memory-store.js';
import { type CookieOptions, CookieWriter } from './cookie/cookie-writer.js';
import type { MessageStore, Retirement } from './message-store.js';

/** Settings of the server-side storage. */
export interface ServerStorageOptions {
  /**
   * Where messages live. Default: the process's bounded `MemoryStore`, one for every storage
   * and every copy of the module in the process (a duplicated bundle, a recompile).
   */
  readonly store?: MessageStore;
  /** Secret(s) that sign the session cookie: the first signs, all verify. Default: MESSAGES_SECRET. */
  readonly secret?: Secret | undefined;
  /**
   * The session cookie's name (default 'messages_session') and attributes. Its `maxAge` (default
   * 14 days) is also how long its signature is accepted: a copy of the cookie is refused after it.
   */
  readonly cookie?: CookieOptions;
}

/**
 * How long what requests in flight add under a rotated session still goes to where it moved, in
 * ms: requests the browser sent before the rotation's response came. After it, the old id is
 * dead: a request that still carries it gets a new session.
 */
export const ROTATION_FORWARD_MS = 30_000;

/** A browser's session, as its cookie says. */
export interface Session {
  readonly id: string;
  /** When its cookie was signed (ms since the epoch); undefined for an untimed, older cookie. */
  readonly issuedAt: number | undefined;
}

/** The session id cookie and the store shared by every request of one server storage. */
export class ServerSessions {
  readonly store: MessageStore;
  /** How long a retired session id stays dead, and forwards: as long as its cookie could live. */
  readonly retirement: Retirement;
  readonly #writer: CookieWriter;
  readonly #signer: TimestampSigner;

  constructor(options: ServerStorageOptions) {
    this.store = options.store ?? processMemoryStore();
    const cookie = options.cookie ?? {};
    const maxAge = positiveInteger(cookie.maxAge ?? DEFAULT_MAX_AGE_SECONDS, "the cookie's maxAge");
    const signer = new Signer(options.secret, 'trpc-messages.session');
    this.#signer = new TimestampSigner(signer, maxAge, { remember: 10_000 });
    this.#writer = new CookieWriter({ ...cookie, maxAge }, 'messages_session');
    this.retirement = { ttlMs: maxAge * 1000, forwardMs: ROTATION_FORWARD_MS };
  }

  /**
   * The request's session: valid, null when its cookie is forged or too old, undefined when it
   * has none.
   */
  read(exchange: CookieExchange): Session | null | undefined {
    const value = exchange.cookie(this.#writer.name);
    if (value === undefined) return undefined;
    const session = this.#signer.unsign(value);
    return session ? { id: session.value, issuedAt: session.issuedAt } : null;
  }

  /** A new random session id (128 bits), sent to the browser in a signed cookie. */
  start(exchange: CookieExchange): Session {
    return this.renew(exchange, randomId(16));
  }

  /** Sends the browser the session `id` in a cookie signed now, for another full lifetime. */
  renew(exchange: CookieExchange, id: string): Session {
    const issuedAt = Date.now();
    this.#writer.set(exchange, this.#signer.sign(id, issuedAt));
    return { id, issuedAt };
  }

  /** Whether a session's cookie has lived half its age: time to send it signed anew. */
  halfLived(session: Session): boolean {
    return this.#signer.halfLived(session.issuedAt);
  }

  /** Tells the browser to drop its session cookie. */
  clear(exchange: CookieExchange): void {
    this.#writer.delete(exchange);
  }
}
