import type { Message } from '../../shared/message.js';
import type { Receive } from './message-consumer.js';

/**
 * Messages the server put into the page itself (its first paint: server-rendered HTML, an RSC
 * payload), on their way to the page's Toaster: held until one takes them, then handed to it as
 * they come. One per page, so a server component needs no handle on the app's tRPC client.
 */
export class PageInbox {
  #waiting: Array<{ readonly messages: readonly Message[]; readonly leaseMs: number }> = [];
  #receive: Receive | undefined;

  /** Hands over messages the page carried, leased for `leaseMs` to the page that rendered them. */
  hand(messages: readonly Message[], leaseMs: number): void {
    if (messages.length === 0) return;
    if (this.#receive) this.#receive(messages, leaseMs);
    else this.#waiting.push({ messages, leaseMs });
  }

  /** Sends what waits, and what comes from now on, to `receive`; returns its stop. */
  deliverTo(receive: Receive): () => void {
    this.#receive = receive;
    for (const { messages, leaseMs } of this.#waiting.splice(0)) receive(messages, leaseMs);
    return () => {
      if (this.#receive === receive) this.#receive = undefined;
    };
  }
}

/** The page's messages from the server (see `PageInbox`). */
export const pageInbox = new PageInbox();
