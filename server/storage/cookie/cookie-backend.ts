import type { StoredMessage } from '../../../shared/message.js';
import type { CookieExchange } from '../../http/cookie-exchange.js';
import type { Backend, Committed, OpenOptions, RotateOptions } from '../backend.js';
import { applyChange } from '../delivery-rule.js';
import type { DecodedMessages } from '../message-codec.js';
import { assertLeaseFor, type HeldLease, type Lease, type StoreChange } from '../message-store.js';
import type { CookieFormat, Overflow } from './cookie-format.js';

/** Thrown when the cookie storage is used on a response whose headers have already left. */
export class StreamedCookieError extends Error {
  constructor() {
    super(
      'trpc-messages: the cookie storage cannot read or write messages on a streamed response ' +
        '(httpBatchStreamLink, a subscription): its headers, and so its cookies, leave before the ' +
        'procedures run. Send the calls that touch messages through httpBatchLink with a ' +
        'splitLink, or use serverStorage() or fallbackStorage(), which keep messages on the server.',
    );
    this.name = 'StreamedCookieError';
  }
}

/** One request's signed cookie (Django's CookieStorage). */
export class CookieBackend implements Backend {
  readonly #format: CookieFormat;
  readonly #exchange: CookieExchange;
  readonly #overflow: Overflow;
  readonly #headersFirst: boolean;
  // The cookie's value as the browser will have it after this response, and what it holds.
  #value: string | undefined;
  #state: DecodedMessages | undefined;

  constructor(
    format: CookieFormat,
    exchange: CookieExchange,
    overflow: Overflow,
    options: OpenOptions = {},
  ) {
    this.#format = format;
    this.#exchange = exchange;
    this.#overflow = overflow;
    this.#headersFirst = options.headersFirst ?? false;
  }

  async peek(): Promise<StoredMessage[]> {
    // Reading is possible, but what is read could never be cleared: it would come back.
    if (this.#headersFirst) throw new StreamedCookieError();
    return [...this.#current().messages];
  }

  /**
   * The cookie is rewritten with what the step leaves. Messages handed out under a lease stay in
   * it, marked with the lease, until acknowledged: a response lost on its way leaves them there.
   */
  commit(change: StoreChange): Committed {
    assertLeaseFor(change);
    const { added = [], acked = [], lease, handOut = 'none' } = change;
    if (this.#headersFirst) {
      if (added.length === 0 && acked.length === 0 && handOut === 'none') {
        return { handedOut: [], unstored: [] };
      }
      throw new StreamedCookieError();
    }
    const state = this.#current();
    // Under fallback, a cookie that already overflowed must not take new messages: they would
    // be read before the older ones kept by the next backend. A take hands them out all the same.
    const handsOn = state.notFinished && this.#overflow === 'hand-on-newest';
    const handsOnAdded = handsOn && handOut !== 'take' && added.length > 0;
    // The clock is read only where a lease is given or held: most requests have none.
    const now = lease || state.leases ? Date.now() : 0;
    const step = applyChange(state, handsOnAdded ? { ...change, added: [] } : change, now);
    const { handedOut } = step;
    if (handOut === 'take' && !lease) {
      // Everything taken, what the next backend holds too: the cookie goes.
      this.#clear();
      return { handedOut, unstored: [] };
    }
    // The "not finished" mark stays until the messages elsewhere are taken: new messages must
    // not be read before them.
    const unstored = this.#write(step.messages, step.leases, this.#overflow, handsOn);
    if (this.#overflow === 'drop-oldest') return { handedOut, unstored };
    // Handed on, they are the next backend's to keep and hand out.
    return {
      handedOut: handedOut.filter((m) => !unstored.includes(m)),
      unstored: handsOn ? [...unstored, ...added] : unstored,
    };
  }

  /**
   * A rotation of the browser's session: the cookie holds the browser's own messages, bound to
   * no session, so they stay unless `unread` is 'drop'.
   */
  rotate(options: RotateOptions): StoredMessage[] {
    if (options.unread === 'drop') {
      if (this.#headersFirst) throw new StreamedCookieError();
      this.#current(); // what the browser sent, to delete it
      this.#clear();
    }
    return [];
  }

  /**
   * Keeps `messages` the next backend could not take (a store that is down): added after the
   * cookie's own, under `lease` if given. The cookie's own stay; if not all fit, the newest of
   * `messages` are dropped. Returns those kept and those dropped.
   */
  keep(
    messages: readonly StoredMessage[],
    lease: Lease | undefined,
  ): { kept: StoredMessage[]; dropped: StoredMessage[] } {
    const state = this.#current();
    const leases = new Map(state.leases);
    if (lease) {
      const held = { holder: lease.holder, until: Date.now() + lease.ms };
      for (const message of messages) leases.set(message.id, held);
    }
    const dropped = this.#write(
      [...state.messages, ...messages],
      leases,
      'hand-on-newest',
      state.notFinished,
    );
    return { kept: messages.filter((m) => !dropped.includes(m)), dropped };
  }

  #write(
    messages: readonly StoredMessage[],
    given: ReadonlyMap<string, HeldLease> | undefined,
    overflow: Overflow,
    notFinished: boolean,
  ): StoredMessage[] {
    const fitted = this.#format.fit(messages, overflow, given, notFinished);
    const { kept, unstored } = fitted;
    // The same messages signed again differ only by their issue time: the browser's value stays
    // (no Set-Cookie), as does its age. No cookie needs no deletion, but an empty one sent does.
    const value =
      this.#value && fitted.value && bodyOf(fitted.value) === bodyOf(this.#value)
        ? this.#value
        : fitted.value;
    if (value ? value !== this.#value : this.#value !== undefined) {
      if (value) this.#format.writer.set(this.#exchange, value);
      else this.#format.writer.delete(this.#exchange);
    }
    this.#value = value || undefined;
    let leases = given;
    if (leases && unstored.length > 0) {
      const held = new Map(leases);
      for (const message of unstored) held.delete(message.id);
      leases = held;
    }
    this.#state = {
      messages: kept,
      notFinished: notFinished || unstored.length > 0,
      leases: leases && leases.size > 0 ? leases : undefined,
    };
    if (value) this.#format.remember(value, this.#state);
    return unstored;
  }

  /** Empties the cookie: deleted if the browser has one. */
  #clear(): void {
    if (this.#value !== undefined) this.#format.writer.delete(this.#exchange);
    this.#value = undefined;
    this.#state = NO_MESSAGES;
  }

  #current(): DecodedMessages {
    if (this.#state === undefined) {
      this.#value = this.#exchange.cookie(this.#format.writer.name);
      this.#state = (this.#value && this.#format.decode(this.#value)) || NO_MESSAGES;
    }
    return this.#state;
  }
}

// What a request without the cookie, or with an empty one, holds: shared, so frozen.
const NO_MESSAGES: DecodedMessages = Object.freeze({
  messages: Object.freeze([]) as unknown as StoredMessage[],
  notFinished: false,
});

/** What a signed cookie value holds, before its issue time and signature (a body has no dot). */
function bodyOf(value: string): string {
  return value.slice(0, value.indexOf('.'));
}
