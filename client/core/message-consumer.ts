import type { Message } from '../../shared/message.js';
import type { BrowserTab } from './browser-tab.js';
import type { ConsumeTrigger } from './consume-triggers.js';
import { logError } from './log-error.js';
import type { MessagesClient } from './messages-client.js';

/** Where a consumer hands what it fetched: the messages, and how long they are leased. */
export type Receive = (messages: readonly Message[], leaseMs?: number) => void;

/** How a consumer hands on and reports what it fetches. */
export interface MessageConsumerOptions {
  /** Where fetched messages go (a list's push, or a delivery's receive). */
  readonly receive: Receive;
  /**
   * The browser tab the consumer runs in (with `messagesLink`): a live signal naming another
   * tab is passed on to it.
   */
  readonly tab?: BrowserTab | undefined;
  /** Told of failed consumes (default: the console). */
  readonly onError?: (error: unknown) => void;
  /**
   * Resolves once none of the client's requests is in flight (its `messagesLink` knows): a live
   * stream the server ended is opened again after them, with the cookie one of them set.
   */
  readonly requestsSettled?: (() => Promise<void>) | undefined;
}

/**
 * Fetches messages with `messages.consume`. Consuming hands messages over for good (or under a
 * lease, to this tab), so calls never overlap and never retry: a call asked for while one runs
 * waits, and one call then serves every request made meanwhile.
 */
export class MessageConsumer {
  readonly #client: MessagesClient;
  readonly #receive: Receive;
  readonly #tab: BrowserTab | undefined;
  readonly #onError: (error: unknown) => void;
  readonly #requestsSettled: (() => Promise<void>) | undefined;
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  #watchers = 0;
  #stops: Array<() => void> = [];
  // What the last consume said; until one answers, assume the live stream misses some messages.
  #liveSignalsAll = false;

  constructor(client: MessagesClient, options: MessageConsumerOptions) {
    this.#client = client;
    this.#receive = options.receive;
    this.#tab = options.tab;
    this.#onError = options.onError ?? logError;
    this.#requestsSettled = options.requestsSettled;
  }

  /** Fetches the unread messages now, or right after the fetch under way. */
  consume = (): Promise<void> => {
    if (this.#running === undefined) {
      this.#running = this.#run().finally(() => {
        this.#running = undefined;
      });
      return this.#running;
    }
    // One follow-up serves every call made while a fetch runs.
    this.#next ??= this.#running.then(() => {
      this.#next = undefined;
      return this.consume();
    });
    return this.#next;
  };

  /**
   * Consumes now and on every trigger, until every watcher has stopped: the watch is shared,
   * so several Toasters or hooks on one client fetch once per event.
   */
  watch(triggers: readonly ConsumeTrigger[]): () => void {
    this.#watchers += 1;
    // A fetch already under way serves a mount (StrictMode mounts twice): no follow-up needed.
    // It starts before the triggers, which may wait for it (the live one does).
    if (this.#running === undefined) void this.consume();
    if (this.#watchers === 1) this.#stops = triggers.map((trigger) => trigger(this.consume));
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      this.#watchers -= 1;
      if (this.#watchers === 0) for (const stop of this.#stops.splice(0)) stop();
    };
  }

  /**
   * A trigger that fires when the server signals, over `messages.live` (server-sent events),
   * that messages were added. It subscribes once the first consume is done: that consume gives a
   * new browser its session, which the stream must watch. tRPC's link reconnects on its own; a
   * stream the server ends (the browser's session was rotated: sign-in, sign-out) is opened
   * again, with the browser's new cookie, after a consume.
   */
  live: ConsumeTrigger = (consume) => {
    const live = this.#client.messages.live;
    if (live === undefined) throw new Error('trpc-messages: this client has no messages.live');
    let subscription: { unsubscribe(): void } | undefined;
    let stopped = false;
    const subscribe = () => {
      if (stopped) return;
      subscription = live.subscribe(undefined, {
        onData: (signal) => {
          // Messages leased to another tab of this browser are that tab's to consume.
          const heldBy = heldByOf(signal);
          if (this.#tab && heldBy && heldBy !== this.#tab.id) this.#tab.askToConsume(heldBy);
          else consume();
        },
        onError: this.#onError,
        // The browser's session was rotated, by a request of this page that may still be on
        // its way back with the new cookie: subscribe again once it has landed, and consume.
        onComplete: () => {
          void Promise.resolve(this.#requestsSettled?.())
            .then(() => this.consume())
            .then(subscribe);
        },
      });
    };
    void Promise.resolve(this.#running).then(subscribe);
    return () => {
      stopped = true;
      subscription?.unsubscribe();
    };
  };

  /**
   * `trigger`, but firing only while the server's live stream misses some messages: those its
   * storage keeps in the browser's cookie (fallbackStorage), which only a consume after the
   * request that added them finds. For the mutation trigger in live mode.
   */
  unlessLiveSignalsAll(trigger: ConsumeTrigger): ConsumeTrigger {
    return (consume) =>
      trigger(() => {
        if (!this.#liveSignalsAll) consume();
      });
  }

  async #run(): Promise<void> {
    try {
      const { messages, liveSignalsAll, leaseMs } = await this.#client.messages.consume.query();
      this.#liveSignalsAll = liveSignalsAll ?? false;
      this.#receive(messages, leaseMs);
    } catch (error) {
      this.#onError(error);
    }
  }
}

/** The tab a live signal names as holding its messages, if any. */
function heldByOf(signal: unknown): string | undefined {
  const heldBy = (signal as { heldBy?: unknown } | null | undefined)?.heldBy;
  return typeof heldBy === 'string' ? heldBy : undefined;
}
