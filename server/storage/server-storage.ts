import type { StoredMessage } from '../../shared/message.js';
import {
  type Backend,
  type Committed,
  type OpenOptions,
  type Recipient,
  recipientKey,
  type Storage,
} from './backend.js';
import type { CookieExchange } from './cookie-exchange.js';
import { type CookieOptions, CookieWriter } from './cookie-options.js';
import { MemoryStore } from './memory-store.js';
import type { MessageStore, StoreChange } from './message-store.js';
import { processWide } from './process-wide.js';
import { randomId } from './random-id.js';
import { type Secret, Signer } from './signer.js';

/** Settings of the server-side storage. */
export interface ServerStorageOptions {
  /**
   * Where messages live. Default: the process's bounded `MemoryStore`, one for every storage
   * and every copy of the module in the process (a duplicated bundle, a recompile).
   */
  readonly store?: MessageStore;
  /** Secret(s) that sign the session cookie: the first signs, all verify. Default: MESSAGES_SECRET. */
  readonly secret?: Secret | undefined;
  /** The session cookie's name (default 'messages_session') and attributes. */
  readonly cookie?: CookieOptions;
}

/** The session id cookie and the store shared by every request of one server storage. */
export class ServerSessions {
  readonly store: MessageStore;
  readonly #writer: CookieWriter;
  readonly #signer: Signer;

  constructor(options: ServerStorageOptions) {
    this.store = options.store ?? processWide('memory-store', () => new MemoryStore());
    this.#signer = new Signer(options.secret, 'trpc-messages.session', { remember: 10_000 });
    this.#writer = new CookieWriter(options.cookie ?? {}, 'messages_session');
  }

  /** The request's session id: a string when valid, null when the cookie is forged, else undefined. */
  read(exchange: CookieExchange): string | null | undefined {
    const value = exchange.cookie(this.#writer.name);
    if (value === undefined) return undefined;
    return this.#signer.unsign(value) ?? null;
  }

  /** A new random session id (128 bits), sent to the browser in a signed cookie. */
  start(exchange: CookieExchange): string {
    const id = randomId(16);
    this.#writer.set(exchange, this.#signer.sign(id));
    return id;
  }

  /** Tells the browser to drop a forged session cookie. */
  clear(exchange: CookieExchange): void {
    this.#writer.delete(exchange);
  }
}

/**
 * One request's messages in a server store, keyed by the signed-in user if there is one, else by
 * a session id cookie (Django's SessionStorage).
 */
export class ServerBackend implements Backend {
  readonly #sessions: ServerSessions;
  readonly #exchange: CookieExchange;
  readonly #userId: string | undefined;
  #id: string | null | undefined;
  #read = false;

  constructor(sessions: ServerSessions, exchange: CookieExchange, options: OpenOptions = {}) {
    this.#sessions = sessions;
    this.#exchange = exchange;
    this.#userId = options.userId;
    // A cookie can be set only now: give the browser its session before the headers leave.
    if (!this.#userId && (options.headersFirst || options.startSession)) this.recipient();
  }

  async peek(): Promise<StoredMessage[]> {
    const { store } = this.#sessions;
    const [fromSession, fromUser] = await Promise.all(
      this.#readKeys().map((key) => (key ? store.peek(key) : [])),
    );
    return [...(fromSession ?? []), ...(fromUser ?? [])];
  }

  async commit(change: StoreChange): Promise<Committed> {
    const { store } = this.#sessions;
    const { added = [], ...reading } = change;
    if (added.length > 0) this.recipient(); // a first message starts the session
    if (!this.#userId) {
      // A visitor: one key, its session's (a request's hot path).
      const sessionId = this.#session();
      if (sessionId === null) this.#sessions.clear(this.#exchange);
      const handedOut = sessionId ? await store.commit(recipientKey({ sessionId }), change) : [];
      return { handedOut, unstored: [] };
    }
    // A signed-in browser also reads what its session holds: messages added while it signed in.
    const [sessionKey, userKey] = this.#readKeys();
    const [fromSession, fromUser] = await Promise.all([
      sessionKey ? store.commit(sessionKey, userKey ? reading : change) : [],
      userKey ? store.commit(userKey, change) : [],
    ]);
    return { handedOut: [...fromSession, ...fromUser], unstored: [] };
  }

  recipient(): Recipient {
    if (this.#userId) return { userId: this.#userId };
    const sessionId = this.#session() || this.#sessions.start(this.#exchange);
    this.#id = sessionId;
    return { sessionId };
  }

  readers(): Recipient[] {
    const recipient = this.recipient();
    const sessionId = this.#session();
    return 'userId' in recipient && sessionId ? [recipient, { sessionId }] : [recipient];
  }

  /** Whether the store may hold messages for this request: a user, or a valid session. */
  hasKey(): boolean {
    return Boolean(this.#userId || this.#session());
  }

  /** The store keys this request reads: its session's (if valid), then its user's (if any). */
  #readKeys(): [string | undefined, string | undefined] {
    const sessionId = this.#session();
    return [
      sessionId ? recipientKey({ sessionId }) : undefined,
      this.#userId ? recipientKey({ userId: this.#userId }) : undefined,
    ];
  }

  #session(): string | null | undefined {
    if (!this.#read) {
      this.#id = this.#sessions.read(this.#exchange);
      this.#read = true;
    }
    return this.#id;
  }
}

/**
 * Keeps messages on the server, keyed by a random session id in a signed HttpOnly cookie that is
 * set only when a first message is stored. The embedded default (with a `MemoryStore`).
 */
export function serverStorage(options: ServerStorageOptions = {}): Storage {
  const sessions = new ServerSessions(options);
  return {
    store: sessions.store,
    open: (exchange, options) => new ServerBackend(sessions, exchange, options),
  };
}
