import type { StoredMessage } from '../../shared/message.js';
import type { CookieExchange } from '../http/cookie-exchange.js';
import { logError } from '../reports/log-error.js';
import {
  type Backend,
  type Committed,
  type OpenOptions,
  type Recipient,
  type RotateOptions,
  recipientKey,
} from './backend.js';
import { commitFollowing, isRetiredKeyError } from './forwarding.js';
import type { StoreChange } from './message-store.js';
import type { ServerSessions, Session } from './server-sessions.js';

/**
 * One request's messages in a server store, keyed by the signed-in user if there is one, else by
 * a session id cookie (Django's SessionStorage). A browser that signs in leaves its visitor
 * session behind, retired, its messages moved to the user.
 */
export class ServerBackend implements Backend {
  readonly #sessions: ServerSessions;
  readonly #exchange: CookieExchange;
  readonly #headersFirst: boolean;
  readonly #onError: (error: unknown) => void;
  #userId: string | undefined;
  #session: Session | null | undefined;
  #read = false;
  // Messages taken from a retired session that have yet to reach the key it moved to.
  #moved: StoredMessage[] = [];
  // A signed-in browser's visitor session, moving to its user: every step waits for it.
  #signingIn: Promise<void> | undefined;

  constructor(sessions: ServerSessions, exchange: CookieExchange, options: OpenOptions = {}) {
    this.#sessions = sessions;
    this.#exchange = exchange;
    this.#headersFirst = options.headersFirst ?? false;
    this.#onError = options.onError ?? logError;
    this.#userId = options.userId;
    if (this.#userId) {
      // Signed in, still with the session it had as a visitor: that session is retired now, its
      // messages moved to the user, and its cookie dropped while the headers can still say so.
      const session = this.#currentSession();
      if (session) {
        this.#forgetSession();
        this.#signingIn = this.#moveToUser(session).catch(this.#onError);
      }
    } else if (options.headersFirst || options.startSession) {
      // A cookie can be set only now: give the browser its session before the headers leave.
      this.recipient();
    }
  }

  async peek(): Promise<StoredMessage[]> {
    if (this.#signingIn) await this.#signingIn;
    const key = this.#key();
    return key === undefined ? [] : this.#sessions.store.peek(key);
  }

  async commit(change: StoreChange): Promise<Committed> {
    if (this.#signingIn) await this.#signingIn;
    const moved = this.#moved;
    const step =
      moved.length === 0 ? change : { ...change, added: [...moved, ...(change.added ?? [])] };
    const adds = (step.added?.length ?? 0) > 0;
    if (adds) this.recipient(); // a first message starts the session
    const key = this.#key();
    if (key === undefined) {
      // A visitor with a forged or expired cookie and nothing to add: tell the browser to drop it.
      if (this.#session === null) this.#sessions.clear(this.#exchange);
      return { handedOut: [], unstored: [] };
    }
    const handedOut = await commitFollowing(this.#sessions.store, key, step).catch((error) =>
      this.#afterRetired(error, step),
    );
    this.#moved = [];
    if (adds) this.#renewIfHalfLived();
    return { handedOut, unstored: [] };
  }

  /**
   * Rotates the browser's session: a new id (or none, for a browser now signed in as `userId`),
   * the old one retired for good, and its unread messages returned to be stored for the new
   * recipient (unless `unread` is 'drop').
   */
  async rotate(options: RotateOptions): Promise<StoredMessage[]> {
    if (this.#signingIn) await this.#signingIn;
    const old = this.#currentSession();
    let successor: Recipient;
    if (options.userId !== undefined) {
      this.#userId = String(options.userId);
      successor = { userId: this.#userId };
      if (old !== undefined) this.#forgetSession();
    } else {
      if (this.#headersFirst) throw new RotationError();
      this.#userId = undefined;
      this.#session = this.#sessions.start(this.#exchange);
      successor = { sessionId: this.#session.id };
    }
    if (!old) return [];
    const { store, retirement } = this.#sessions;
    const retiring = recipientKey({ sessionId: old.id });
    const moved = await store.retire(retiring, recipientKey(successor), retirement);
    return options.unread === 'drop' ? [] : moved;
  }

  recipient(): Recipient {
    if (this.#userId) return { userId: this.#userId };
    const session = this.#currentSession() || this.#sessions.start(this.#exchange);
    this.#session = session;
    return { sessionId: session.id };
  }

  readers(): Recipient[] {
    return [this.recipient()];
  }

  identities(): string[] {
    const key = this.#key();
    return key === undefined ? [] : [key];
  }

  /** Whether the request is a signed-in user's (given at open, or by a rotation since). */
  get signedIn(): boolean {
    return this.#userId !== undefined;
  }

  /** Whether the store may hold messages for this request: a user, or a valid session. */
  hasKey(): boolean {
    return this.#key() !== undefined;
  }

  /** The store key of this request: its user's, else its session's (if valid). */
  #key(): string | undefined {
    if (this.#userId) return recipientKey({ userId: this.#userId });
    const session = this.#currentSession();
    return session ? recipientKey({ sessionId: session.id }) : undefined;
  }

  #currentSession(): Session | null | undefined {
    if (!this.#read) {
      this.#session = this.#sessions.read(this.#exchange);
      this.#read = true;
    }
    return this.#session;
  }

  /** The browser holds no session from now on (a signed-in one needs none). */
  #forgetSession(): void {
    this.#sessions.clear(this.#exchange);
    this.#session = undefined;
    this.#read = true;
  }

  /** Retires the visitor `session` of a browser signed in, its messages moved to the user. */
  async #moveToUser(session: Session): Promise<void> {
    const { store, retirement } = this.#sessions;
    const user = recipientKey({ userId: this.#userId as string });
    const moved = await store.retire(recipientKey({ sessionId: session.id }), user, retirement);
    if (moved.length === 0) return;
    try {
      await commitFollowing(store, user, { added: moved });
    } catch (error) {
      // The request's next step stores them, or its failure is reported with its own messages.
      this.#moved = moved;
      throw error;
    }
  }

  /**
   * A step whose session was retired for good (rotated, and the request carries a copy of its
   * old cookie, or came long after): the browser gets a new session, where the step is done.
   * Anything else is the store's failure.
   */
  #afterRetired(error: unknown, step: StoreChange): Promise<StoredMessage[]> {
    if (!isRetiredKeyError(error) || this.#userId) throw error;
    this.#session = this.#sessions.start(this.#exchange);
    return this.#sessions.store.commit(recipientKey({ sessionId: this.#session.id }), step);
  }

  /** Sends a visitor's session cookie signed anew once it has lived half its age. */
  #renewIfHalfLived(): void {
    const session = this.#session;
    if (this.#userId || this.#headersFirst || !session) return;
    if (this.#sessions.halfLived(session)) {
      this.#session = this.#sessions.renew(this.#exchange, session.id);
    }
  }
}

/** A session cannot be rotated on a response whose headers have left: no cookie can be set. */
export class RotationError extends Error {
  constructor() {
    super(
      'trpc-messages: rotateSession() sets a new session cookie, which a streamed response ' +
        '(httpBatchStreamLink, a subscription) cannot: its headers leave before the procedures ' +
        'run. Send the sign-in and sign-out calls through httpBatchLink or httpLink (a ' +
        'splitLink), or pass the signed-in user to fromRequest ({ userId }). The session was ' +
        'not rotated.',
    );
    this.name = 'RotationError';
  }
}
