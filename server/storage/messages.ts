import { assertLevel, DEBUG, ERROR, INFO, SUCCESS, WARNING } from '../../shared/levels.js';
import { type Message, type StoredMessage, toMessage } from '../../shared/message.js';
import type { DefaultTags, LevelOf, TagMap } from '../../shared/tags.js';
import { DEFAULT_TAGS } from '../../shared/tags.js';
import type { Backend, Recipient } from './backend.js';
import { newMessageId } from './message-id.js';

/** The longest message accepted by default, in bytes of UTF-8. */
export const DEFAULT_MAX_MESSAGE_BYTES = 8192;

/** Settings of one request's messages. */
export interface MessagesOptions<Tags extends TagMap = DefaultTags> {
  /** The minimum level a message needs to be stored (default INFO, so DEBUG is dropped). */
  readonly level?: number;
  /** The app's tag map (see `defineTags`); default the built-in one. */
  readonly tags?: Tags;
  /** The longest message accepted, in bytes of UTF-8 (default 8192). */
  readonly maxMessageBytes?: number;
  /**
   * Persist every change as soon as it is made (adds of one tick together), for work that has
   * no end to wait for: subscriptions, background jobs. `update` still works as usual.
   */
  readonly eager?: boolean;
  /** Told of failures of eager persistence (default: logged with console.error). */
  readonly onError?: (error: unknown) => void;
}

const logError = (error: unknown) => console.error('trpc-messages:', error);

/** Options of one added message. */
export interface AddOptions {
  /** Space-separated tags put before the level tag in `tags` (class names for the UI). */
  readonly extraTags?: string;
}

/**
 * One request's messages (Django's BaseStorage): queue with `add` and the level methods, read
 * with `consume` (which removes them) or `peek`/`count` (which do not), and `update` once the
 * request's work is done to persist what is left. Nothing is read or written until needed.
 */
export class Messages<Tags extends TagMap = DefaultTags> {
  readonly #backend: Backend;
  readonly #tags: TagMap;
  readonly #maxMessageBytes: number;
  #level: number;
  // Messages added since the last consume, in order.
  #queued: StoredMessage[] = [];
  // The backend's messages, loaded at most once per mode; consume empties the array in place.
  #loaded: Promise<StoredMessage[]> | undefined;
  #loadedByTake = false;
  #used = false;
  #addedNew = false;
  // Persists run one at a time, in order; this is the last one asked for.
  #persisting: Promise<unknown> = Promise.resolve();
  readonly #eager: boolean;
  readonly #onError: (error: unknown) => void;
  #flushQueued = false;

  constructor(backend: Backend, options: MessagesOptions<Tags> = {}) {
    this.#backend = backend;
    this.#tags = options.tags ?? DEFAULT_TAGS;
    const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (!Number.isInteger(maxBytes) || maxBytes < 1) {
      throw new TypeError(
        `trpc-messages: maxMessageBytes must be a positive integer, got ${maxBytes}`,
      );
    }
    this.#maxMessageBytes = maxBytes;
    const level = options.level ?? INFO;
    assertLevel(level, 'the minimum level');
    this.#level = level;
    this.#eager = options.eager ?? false;
    this.#onError = options.onError ?? logError;
  }

  /** The minimum level a message needs to be stored, for this request. */
  get level(): number {
    return this.#level;
  }

  set level(level: number) {
    assertLevel(level, 'the minimum level');
    this.#level = level;
  }

  /**
   * Queues a message. An empty message, or one below the minimum level, is ignored (as in
   * Django). Throws a TypeError for a level that is not an integer or a text that is not a
   * string, and a RangeError for a text over the size limit.
   */
  add(level: LevelOf<Tags>, message: string, options?: AddOptions): void {
    this.#push(level, message, options);
  }

  /** Queues a DEBUG message (stored only when the minimum level allows it). */
  debug(message: string, options?: AddOptions): void {
    this.#push(DEBUG, message, options);
  }

  /** Queues an INFO message. */
  info(message: string, options?: AddOptions): void {
    this.#push(INFO, message, options);
  }

  /** Queues a SUCCESS message. */
  success(message: string, options?: AddOptions): void {
    this.#push(SUCCESS, message, options);
  }

  /** Queues a WARNING message. */
  warning(message: string, options?: AddOptions): void {
    this.#push(WARNING, message, options);
  }

  /** Queues an ERROR message. */
  error(message: string, options?: AddOptions): void {
    this.#push(ERROR, message, options);
  }

  /** Returns the unread messages, oldest first, and removes them: each is returned once. */
  async consume(): Promise<Message[]> {
    this.#used = true;
    const loaded = await this.#load(true);
    const messages = [...loaded.splice(0), ...this.#queued.splice(0)];
    this.#flushSoon();
    return messages.map((m) => toMessage(m, this.#tags));
  }

  /** Returns the unread messages, oldest first, without removing them. */
  async peek(): Promise<Message[]> {
    const loaded = await this.#load(false);
    return [...loaded, ...this.#queued].map((m) => toMessage(m, this.#tags));
  }

  /** The number of unread messages, without removing them. */
  async count(): Promise<number> {
    const loaded = await this.#load(false);
    return loaded.length + this.#queued.length;
  }

  /**
   * Persists the request's outcome and returns the messages that could not be kept: after a
   * consume, only what was added since; else, if something was added, everything; else nothing
   * is done at all (no I/O, no cookie). Can be called again after more work; calls made while
   * one runs wait for it.
   */
  update(): Promise<StoredMessage[]> {
    const run = this.#persisting.then(() => this.#persist());
    this.#persisting = run.catch(() => undefined);
    return run;
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

  /** Whether changes (adds, a consume) wait for `update` to persist them. */
  get unsaved(): boolean {
    return this.#used || this.#addedNew;
  }

  /** Resolves once every persist asked for so far has finished (eager ones included). */
  async settled(): Promise<void> {
    await this.#persisting;
  }

  async #persist(): Promise<StoredMessage[]> {
    if (!this.#used && !this.#addedNew) return [];
    // A load still under way decides whether the backend took its messages: wait for it.
    await this.#loaded?.catch(() => undefined);
    const added = this.#queued.splice(0);
    const { used, addedNew } = { used: this.#used, addedNew: this.#addedNew };
    this.#used = false;
    this.#addedNew = false;
    try {
      const unstored = await this.#backend.store(added);
      this.#loaded = undefined;
      this.#loadedByTake = false;
      return unstored;
    } catch (error) {
      // Nothing was persisted: queue the messages again so a retry can still store them.
      this.#queued.unshift(...added);
      this.#used ||= used;
      this.#addedNew ||= addedNew;
      throw error;
    }
  }

  /** In eager mode, persists once the current tick's changes are made. */
  #flushSoon(): void {
    if (!this.#eager || this.#flushQueued) return;
    this.#flushQueued = true;
    const run = this.#persisting.then(() => {
      this.#flushQueued = false;
      return this.#persist();
    });
    this.#persisting = run.catch((error: unknown) => this.#onError(error));
  }

  #push(level: number, message: string, options: AddOptions = {}): void {
    assertLevel(level);
    if (typeof message !== 'string') {
      throw new TypeError(`trpc-messages: a message must be a string, got ${typeof message}`);
    }
    const extraTags = options.extraTags ?? '';
    if (typeof extraTags !== 'string') {
      throw new TypeError(`trpc-messages: extraTags must be a string, got ${typeof extraTags}`);
    }
    if (message.length === 0 || level < this.#level) return;
    // A UTF-16 unit takes at most 3 bytes of UTF-8, so short strings skip the byte count.
    if (message.length * 3 > this.#maxMessageBytes) {
      const bytes = Buffer.byteLength(message);
      if (bytes > this.#maxMessageBytes) {
        throw new RangeError(
          `trpc-messages: a message may hold at most ${this.#maxMessageBytes} bytes of UTF-8 ` +
            `(maxMessageBytes), got ${bytes}`,
        );
      }
    }
    this.#queued.push({ id: newMessageId(), level, message, extraTags });
    this.#addedNew = true;
    this.#flushSoon();
  }

  #load(take: boolean): Promise<StoredMessage[]> {
    if (this.#loaded && (this.#loadedByTake || !take)) return this.#loaded;
    const loading = this.#backend.load(take).then(
      (result) => [...result.messages],
      (error: unknown) => {
        // Let a later call try again: a failed load took nothing.
        if (this.#loaded === loading) this.#loaded = undefined;
        throw error;
      },
    );
    this.#loaded = loading;
    this.#loadedByTake = take;
    return loading;
  }
}
