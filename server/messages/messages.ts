import type { Catalog, DefinedCatalog } from '../../shared/catalog.js';
import {
  assertLevel,
  DEBUG,
  ERROR,
  INFO,
  isLevel,
  levelProblem,
  SUCCESS,
  WARNING,
} from '../../shared/levels.js';
import {
  type Message,
  type MessageAction,
  type StoredMessage,
  toMessage,
} from '../../shared/message.js';
import type { DefaultTags, LevelOf, TagMap } from '../../shared/tags.js';
import { DEFAULT_TAGS } from '../../shared/tags.js';
import { logError } from '../reports/log-error.js';
import { inProduction } from '../runtime/environment.js';
import { positiveInteger } from '../runtime/positive-integer.js';
import {
  type Backend,
  type Committed,
  type Recipient,
  type RotateOptions,
  recipientKey,
} from '../storage/backend.js';
import { andThen, isPending, type MaybePromise, settle } from '../storage/maybe-promise.js';
import type { HandOut, Lease } from '../storage/message-store.js';
import { type AcceptRules, acceptMessage } from './accept-message.js';
import type { AddOptions, MessageText } from './add-options.js';

export type { AddOptions, MessageText } from './add-options.js';

import { MAX_MESSAGE_BYTES } from '../storage/message-weight.js';
import { fitMessage } from './fit-message.js';
import { newMessageId } from './message-id.js';
import { MessageInputError, warnOnce } from './message-input-error.js';

/** The most a message may weigh by default, in bytes (see `messageWeight`). */
export const DEFAULT_MAX_MESSAGE_BYTES = 8192;

/** How long a lease on handed-out messages lasts by default: a few seconds, in ms. */
export const DEFAULT_LEASE_MS = 5000;

/**
 * How a request's client takes delivery of messages. A client that names its tab (`holder`)
 * gets messages under a lease and acknowledges those it showed: at least once on the wire,
 * exactly once on its screen. Without a holder, a consume removes what it hands out.
 */
export interface Delivery {
  /** The client tab asking: messages it is handed are leased to it. */
  readonly holder?: string | undefined;
  /** Ids of messages the client has shown: removed for good by the request's first step. */
  readonly acks?: readonly string[];
  /**
   * The response can carry messages (see `inlined`): those the request adds and those leased to
   * its holder ('own'), and also every other waiting message ('all', for the tab in view).
   */
  readonly inline?: 'own' | 'all' | undefined;
  /** How long a lease lasts, in ms (default 5000). */
  readonly leaseMs?: number;
}

/** Settings of one request's messages. */
export interface MessagesOptions<Tags extends TagMap = DefaultTags> {
  /** The minimum level a message needs to be stored (default INFO, so DEBUG is dropped). */
  readonly level?: number;
  /** The app's tag map (see `defineTags`); default the built-in one. */
  readonly tags?: Tags;
  /** The app's catalog (see `defineCatalog`), for messages given by key. */
  readonly catalog?: DefinedCatalog<Catalog> | undefined;
  /**
   * The most a message may weigh, in bytes (default 8192, at most 1 MiB): the UTF-8 of its text
   * (or its key and parameters), extra tags, key and action (see `messageWeight`). A message over
   * it is truncated to fit, or loses its action, and `onError` is told.
   */
  readonly maxMessageBytes?: number;
  /**
   * Persist every change as soon as it is made (adds of one tick together), for work that has
   * no end to wait for: subscriptions, background jobs. `update` still works as usual.
   */
  readonly eager?: boolean;
  /**
   * Told of bad input to `add` and `level =`, changed or left out rather than thrown (a
   * `MessageInputError`, also warned about once per call site in development), and of failures
   * of eager persistence. Default: logged with console.error.
   */
  readonly onError?: (error: unknown) => void;
  /** How the request's client takes delivery (default: consumes remove, nothing inline). */
  readonly delivery?: Delivery;
  /**
   * Signs a message's action for the recipient it is offered to (a store key; '' where messages
   * live in the browser). The kit's; its `actions()` makes them unsigned.
   */
  readonly signAction?: ((action: MessageAction, recipient: string) => MessageAction) | undefined;
}

const ignore = () => undefined;

/**
 * One request's messages (Django's BaseStorage): queue with `add` and the level methods, read
 * with `consume` (which hands them over) or `peek`/`count` (which do not), and `update` once the
 * request's work is done to persist what is left. Nothing is read or written until needed.
 */
export class Messages<Tags extends TagMap = DefaultTags> {
  readonly #backend: Backend;
  readonly #tags: TagMap;
  readonly #catalog: Catalog | undefined;
  readonly #maxMessageBytes: number;
  // What `add` checks its input against, and whom it tells of what it changed: made by the
  // first add off the shortest path.
  #rules: AcceptRules | undefined;
  #level: number;
  // The app's minimum level, which `level = undefined` goes back to.
  readonly #defaultLevel: number;
  // Messages added since the last step, in order.
  #queued: StoredMessage[] = [];
  // Acknowledgements not yet sent with a step.
  #acks: readonly string[];
  readonly #lease: Lease | undefined;
  #inline: 'own' | 'all' | undefined;
  // Ids this request handed out or acknowledged: each message is handed to a request once.
  #gone: Set<string> | undefined;
  #inlined: Message[] = [];
  // The backend's messages as last peeked at, until the next step.
  #peeked: Promise<StoredMessage[]> | undefined;
  // Steps run one at a time, in order: how many are asked for and not finished, and the last.
  #steps = 0;
  #lastStep: Promise<unknown> | undefined;
  readonly #eager: boolean;
  readonly #onError: (error: unknown) => void;
  readonly #signAction: ((action: MessageAction, recipient: string) => MessageAction) | undefined;
  #flushQueued = false;

  constructor(backend: Backend, options: MessagesOptions<Tags> = {}) {
    this.#backend = backend;
    this.#tags = options.tags ?? DEFAULT_TAGS;
    this.#catalog = options.catalog?.templates;
    const maxBytes = positiveInteger(
      options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      'maxMessageBytes',
    );
    if (maxBytes > MAX_MESSAGE_BYTES) {
      throw new RangeError(
        `trpc-messages: maxMessageBytes may be at most ${MAX_MESSAGE_BYTES} (1 MiB), got ${maxBytes}`,
      );
    }
    this.#maxMessageBytes = maxBytes;
    const level = options.level ?? INFO;
    assertLevel(level, 'the minimum level');
    this.#defaultLevel = level;
    this.#level = level;
    this.#eager = options.eager ?? false;
    this.#onError = options.onError ?? logError;
    this.#signAction = options.signAction;
    const delivery = options.delivery ?? {};
    this.#acks = delivery.acks ?? [];
    const holder = delivery.holder;
    this.#lease =
      holder === undefined ? undefined : { holder, ms: delivery.leaseMs ?? DEFAULT_LEASE_MS };
    // Messages handed out inline are leased: without a holder they could not be acknowledged.
    this.#inline = this.#lease ? delivery.inline : undefined;
  }

  /** The minimum level a message needs to be stored, for this request. */
  get level(): number {
    return this.#level;
  }

  /**
   * Sets this request's minimum level; `undefined` goes back to the app's (Django's `None`). A
   * level that is not an integer is ignored, and reported to `onError`.
   */
  set level(level: number | undefined) {
    if (level === undefined) {
      this.#level = this.#defaultLevel;
      return;
    }
    if (!isLevel(level)) {
      this.#report(
        new MessageInputError(
          'level',
          'ignored',
          levelProblem(level, 'the minimum level'),
          `set one such as DEBUG, or undefined for the app's (${this.#defaultLevel})`,
        ),
      );
      return;
    }
    this.#level = level;
  }

  /**
   * Queues a message. An empty message, or one below the minimum level, is ignored (as in
   * Django). Never throws: a message over `maxMessageBytes` is truncated to fit (or loses its
   * action), and one that cannot be stored as given (a level that is not an integer, a text that
   * is not a string, a key the catalog lacks…) is dropped; each is reported to `onError` as a
   * `MessageInputError`.
   */
  add(level: LevelOf<Tags>, message: MessageText, options?: AddOptions): void {
    this.#push(level, message, options);
  }

  /** Queues a DEBUG message (stored only when the minimum level allows it). */
  debug(message: MessageText, options?: AddOptions): void {
    this.#push(DEBUG, message, options);
  }

  /** Queues an INFO message. */
  info(message: MessageText, options?: AddOptions): void {
    this.#push(INFO, message, options);
  }

  /** Queues a SUCCESS message. */
  success(message: MessageText, options?: AddOptions): void {
    this.#push(SUCCESS, message, options);
  }

  /** Queues a WARNING message. */
  warning(message: MessageText, options?: AddOptions): void {
    this.#push(WARNING, message, options);
  }

  /** Queues an ERROR message. */
  error(message: MessageText, options?: AddOptions): void {
    this.#push(ERROR, message, options);
  }

  /**
   * Returns the unread messages, oldest first, each once per request. With a holder (see
   * `Delivery`) they are leased to it, to be acknowledged once shown; else they are removed.
   */
  consume(): Promise<Message[]> {
    return settle(() => andThen(this.#step(this.#consume), (stored) => this.#shown(stored)));
  }

  /** Returns the unread messages, oldest first, without handing them over. */
  async peek(): Promise<Message[]> {
    return (await this.#unread()).map((m) => toMessage(m, this.#tags, this.#catalog));
  }

  /** The number of unread messages, without handing them over. */
  async count(): Promise<number> {
    return (await this.#unread()).length;
  }

  /**
   * Persists what the request added and acknowledged, in one step, and returns the messages
   * that could not be kept. With inline delivery (see `Delivery`), the step also hands out what
   * the response should carry: see `inlined`. Does nothing at all (no I/O, no cookie) for a
   * request that added and acknowledged nothing. Can be called again after more work; calls made
   * while one runs wait for it.
   */
  update(): Promise<StoredMessage[]> {
    return settle(() => this.#step(this.#persist));
  }

  /**
   * The messages handed out for the response to carry (inline delivery), oldest first: those
   * `update` handed out, less those `consume` returned.
   */
  get inlined(): readonly Message[] {
    return this.#inlined;
  }

  /** Whether the response may carry messages (the client asked for inline delivery). */
  get inline(): boolean {
    return this.#inline !== undefined;
  }

  /**
   * The response will never reach the client (it went away, a page reloaded while the request
   * ran): what the request adds from now on is not handed out with it, but left leased to its
   * tab and told to watchers, for the tab's next consume.
   */
  stopInline(): void {
    this.#inline = undefined;
  }

  /**
   * Rotates the browser's session, for sign-in and sign-out (Django's `cycle_key`): the browser
   * gets a new session id (or none, once signed in as `userId`: its messages are the user's from
   * then on), the old id is retired for good in the store, so a copy of its cookie reads nothing
   * more, and its unread messages go to the new recipient (unless `unread: 'drop'`). What this
   * request added, and adds after, is kept for the new recipient. Never rejects: a failure (a
   * store that is down, a streamed response that cannot set the new cookie) is told to `onError`.
   */
  rotateSession(options: RotateOptions = {}): Promise<void> {
    const rotate = function (this: Messages<Tags>) {
      return this.#rotate(options);
    };
    return settle(() => this.#step(rotate)).catch((error: unknown) => this.#onError(error));
  }

  /**
   * Whom this request's messages are kept for, to send them more from elsewhere (a job, a
   * webhook): the signed-in user, or the browser's session (started now if it has none).
   * Throws for the cookie storage, whose messages live in the browser alone.
   */
  recipient(): Recipient {
    return this.readers()[0] as Recipient;
  }

  /**
   * Everyone whose messages this request reads (`recipient()` first): a signed-in browser reads
   * its user's and its session's. For live delivery, which watches them all.
   */
  readers(): Recipient[] {
    const readers = this.#backend.readers?.();
    if (readers === undefined) {
      throw new Error(
        'trpc-messages: the cookie storage keeps messages in the browser, out of reach of ' +
          'anything but this request; use serverStorage() or fallbackStorage() to send messages ' +
          'from elsewhere',
      );
    }
    return readers;
  }

  /** Whether changes (adds, acknowledgements) wait for `update` to persist them. */
  get unsaved(): boolean {
    return this.#queued.length > 0 || this.#acks.length > 0;
  }

  /** Resolves once every step asked for so far has finished (eager ones included). */
  async settled(): Promise<void> {
    await this.#lastStep?.then(ignore, ignore);
  }

  /**
   * Runs `work` once every step asked for before has finished (failed or not), and gives what
   * it gives. With none running, it runs now, and gives a result that is ready at once where the
   * backend's step is (the cookie's); `deferred`, it starts once the current tick is done.
   */
  #step<T>(work: (this: Messages<Tags>) => MaybePromise<T>, deferred = false): MaybePromise<T> {
    if (this.#steps === 0 && !deferred) {
      const result = work.call(this);
      return isPending(result) ? this.#track(result) : result;
    }
    const run = () => work.call(this);
    const previous = this.#steps === 0 ? Promise.resolve() : (this.#lastStep as Promise<unknown>);
    return this.#track(previous.then(run, run));
  }

  /** Counts `step` as running until it ends, and makes it the step the next one waits for. */
  #track<T>(step: PromiseLike<T>): Promise<T> {
    this.#steps += 1;
    const tracked = Promise.resolve(step).finally(() => {
      this.#steps -= 1;
    });
    this.#lastStep = tracked;
    return tracked;
  }

  #rotate(options: RotateOptions): MaybePromise<void> {
    if (!this.#backend.rotate) {
      throw new Error(
        "trpc-messages: rotateSession() rotates a browser's session; messages sent from outside " +
          'a request have none',
      );
    }
    return andThen(this.#backend.rotate(options), (moved) => {
      this.#peeked = undefined;
      // Actions queued so far were offered to the old recipient: offer them to the new one.
      const queued = this.#queued.map((message) =>
        message.action ? { ...message, action: this.#signFor(message.action) } : message,
      );
      this.#queued = [...moved, ...queued];
    });
  }

  #consume(): MaybePromise<StoredMessage[]> {
    if (this.#lease === undefined) {
      // A client that does not acknowledge: what is handed out is removed, and what this
      // request added is handed out without being stored.
      return andThen(this.#commit('take', []), ({ handedOut }) =>
        this.#queued.length === 0 ? handedOut : [...handedOut, ...this.#queued.splice(0)],
      );
    }
    return andThen(this.#commit('all', this.#queued.splice(0)), ({ handedOut }) => handedOut);
  }

  #persist(): MaybePromise<StoredMessage[]> {
    if (!this.unsaved) return [];
    return andThen(this.#commit(this.#inline ?? 'none', this.#queued.splice(0)), (committed) => {
      if (this.#inline && committed.handedOut.length > 0) {
        this.#inlined = [...this.#inlined, ...this.#shown(committed.handedOut)];
      }
      return committed.unstored;
    });
  }

  /** `stored` as the client sees them. */
  #shown(stored: readonly StoredMessage[]): Message[] {
    return stored.map((m) => toMessage(m, this.#tags, this.#catalog));
  }

  /**
   * One step of the backend with the pending acknowledgements and `added`; both are kept for a
   * retry when it fails. What it hands out leaves out what this request was handed before.
   */
  #commit(handOut: HandOut, added: StoredMessage[]): MaybePromise<Committed> {
    const acked = this.#acks;
    this.#acks = [];
    this.#peeked = undefined;
    let committed: MaybePromise<Committed>;
    try {
      committed = this.#backend.commit({ handOut, added, acked, lease: this.#lease });
    } catch (error) {
      return this.#keep(added, acked, error);
    }
    if (!isPending(committed)) return this.#handedOutOnce(handOut, acked, committed);
    return committed.then(
      (done) => this.#handedOutOnce(handOut, acked, done),
      (error: unknown) => this.#keep(added, acked, error),
    );
  }

  /** Nothing was persisted when a step fails: keeps what it was asked, so a retry can do it. */
  #keep(added: readonly StoredMessage[], acked: readonly string[], error: unknown): never {
    this.#queued.unshift(...added);
    this.#acks = [...acked, ...this.#acks];
    throw error;
  }

  /** `committed` less what this request was handed before; records what it hands out now. */
  #handedOutOnce(handOut: HandOut, acked: readonly string[], committed: Committed): Committed {
    const { handedOut, unstored } = committed;
    // What a take hands out, and what is acknowledged, leave the backend: neither comes back.
    if (handOut === 'take' || (acked.length === 0 && handedOut.length === 0)) return committed;
    const gone = this.#gone ?? new Set<string>();
    this.#gone = gone;
    for (const id of acked) gone.add(id);
    const fresh = handedOut.filter((m) => !gone.has(m.id));
    for (const message of fresh) gone.add(message.id);
    return { handedOut: fresh, unstored };
  }

  async #unread(): Promise<StoredMessage[]> {
    this.#peeked ??= this.#backend.peek().catch((error: unknown) => {
      // Let a later call try again.
      this.#peeked = undefined;
      throw error;
    });
    const stored = await this.#peeked;
    const gone = this.#gone;
    return [...(gone ? stored.filter((m) => !gone.has(m.id)) : stored), ...this.#queued];
  }

  /** In eager mode, persists once the current tick's changes are made. */
  #flushSoon(): void {
    if (!this.#eager || this.#flushQueued) return;
    this.#flushQueued = true;
    const flush = function (this: Messages<Tags>) {
      this.#flushQueued = false;
      return this.#persist();
    };
    settle(() => this.#step(flush, true)).catch((error: unknown) => this.#onError(error));
  }

  #push(level: number, text: MessageText, options?: AddOptions): void {
    // The common case, a short text and nothing else, on the shortest path: a UTF-16 unit takes
    // at most 3 bytes of UTF-8, so its weight needs no counting.
    if (
      typeof text === 'string' &&
      options === undefined &&
      isLevel(level) &&
      text.length * 3 <= this.#maxMessageBytes
    ) {
      if (text.length === 0 || level < this.#level) return;
      this.#queue({ id: newMessageId(), level, message: text, extraTags: '' });
      return;
    }
    this.#rules ??= {
      catalog: this.#catalog,
      report: (error) => this.#report(error),
      signAction: (action) => this.#signFor(action),
    };
    const message = acceptMessage(level, text, options, this.#rules);
    if (message === undefined || message.level < this.#level) return;
    const fitted = fitMessage(message, this.#maxMessageBytes, this.#rules.report);
    if (fitted) this.#queue(fitted);
  }

  /** Tells `onError` of a change made to bad input; in development, warns once per call site. */
  #report(error: MessageInputError): void {
    if (!inProduction()) warnOnce(error);
    try {
      this.#onError(error);
    } catch (thrown) {
      // An onError that throws must not make add throw after all.
      logError(thrown);
    }
  }

  /**
   * `action` signed for the request's recipient (whom its message is kept for), so that only a
   * request of that recipient can take it.
   */
  #signFor(action: MessageAction): MessageAction {
    if (!this.#signAction) return action;
    // Where messages live in the browser alone (the cookie storage) there is no one to bind to.
    const recipient = this.#backend.readers ? recipientKey(this.recipient()) : '';
    return this.#signAction(action, recipient);
  }

  #queue(message: StoredMessage): void {
    this.#queued.push(message);
    this.#flushSoon();
  }
}
