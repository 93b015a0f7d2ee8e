import type { StoredMessage } from '../../shared/message.js';
import type { DefaultTags, LevelOf, TagMap } from '../../shared/tags.js';
import { type Backend, type Committed, type Recipient, recipientKey } from '../storage/backend.js';
import { commitFollowing } from '../storage/forwarding.js';
import type { MessageStore, StoreChange } from '../storage/message-store.js';
import { type AddOptions, Messages, type MessagesOptions, type MessageText } from './messages.js';

/** A recipient's messages in a store, reached by key rather than through a request's cookies. */
class RecipientBackend implements Backend {
  readonly #store: MessageStore;
  readonly #recipient: Recipient;

  constructor(store: MessageStore, recipient: Recipient) {
    this.#store = store;
    this.#recipient = recipient;
  }

  peek(): Promise<StoredMessage[]> {
    return this.#store.peek(recipientKey(this.#recipient));
  }

  // A recipient whose session was rotated since: what is sent follows it while the old id
  // forwards, and is refused (RetiredKeyError) after.
  async commit(change: StoreChange): Promise<Committed> {
    return {
      handedOut: await commitFollowing(this.#store, recipientKey(this.#recipient), change),
      unstored: [],
    };
  }

  readers(): Recipient[] {
    return [this.#recipient];
  }
}

// The level methods of `Messages` (one definition there), each here sending at once.
const LEVEL_METHODS = ['debug', 'info', 'success', 'warning', 'error'] as const;
type LevelMethod = (typeof LEVEL_METHODS)[number];

/**
 * Sends messages to one recipient from outside a request, as a request's `Messages` queues them
 * (`add`, `success`, …); each call stores at once.
 */
export type RecipientMessages<Tags extends TagMap = DefaultTags> = {
  add(level: LevelOf<Tags>, message: MessageText, options?: AddOptions): Promise<void>;
} & {
  readonly [Method in LevelMethod]: (message: MessageText, options?: AddOptions) => Promise<void>;
};

const ignore = () => undefined;

/**
 * Messages for `recipient`, sent from a background job, a webhook or another service: stored in
 * `store` and delivered by the recipient's next consume (or live). The same rules as in a
 * request: levels, the minimum level, the size limit, bad input reported to `onError` and never
 * thrown. A message with a `key` also removes the
 * recipient's unread messages of that key, which it replaces: a job's progress, sent while the
 * browser is away, leaves one message, not one per step pushing others out of the store.
 */
export function sendTo<Tags extends TagMap = DefaultTags>(
  store: MessageStore,
  recipient: Recipient,
  options: MessagesOptions<Tags> = {},
): RecipientMessages<Tags> {
  const send = async (key: string | undefined, queue: (messages: Messages<Tags>) => void) => {
    const backend = new RecipientBackend(store, recipient);
    const messages = new Messages<Tags>(backend, options);
    queue(messages);
    // Nothing to store (below the minimum level, empty): nothing is replaced either.
    if (!messages.unsaved) return;
    if (key === undefined) {
      await messages.update();
      return;
    }
    // Found before the new one is stored, and removed in the step that stores it. One handed
    // out meanwhile is shown, then replaced on screen by the new one.
    const replaced = (await backend.peek()).filter((m) => m.key === key).map((m) => m.id);
    // The same message queued again: what was wrong with it was reported the first time.
    const replacing = new Messages<Tags>(backend, {
      ...options,
      onError: ignore,
      delivery: { acks: replaced },
    });
    queue(replacing);
    await replacing.update();
  };
  const levels = Object.fromEntries(
    LEVEL_METHODS.map((method) => [
      method,
      (message: MessageText, opts?: AddOptions) => send(opts?.key, (m) => m[method](message, opts)),
    ]),
  ) as Record<LevelMethod, (message: MessageText, options?: AddOptions) => Promise<void>>;
  return {
    add: (level, message, opts) => send(opts?.key, (m) => m.add(level, message, opts)),
    ...levels,
  };
}
