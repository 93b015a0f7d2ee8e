import type { getFetch, TRPCUntypedClient } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import {
  type ActionClaim,
  CLIENT_HEADER,
  decodeInline,
  formatClientHeader,
  INLINE_HEADER,
} from '../../shared/delivery.js';
import type { Message } from '../../shared/message.js';
import { Acknowledgements } from '../core/acknowledgements.js';
import type { BrowserTab } from '../core/browser-tab.js';
import type { ConsumeTrigger } from '../core/consume-triggers.js';
import { MessageList } from '../core/message-list.js';
import { Subscribable } from '../core/subscribable.js';
import type { Beacon } from './ack-beacon.js';
import { ACK_PATH } from './ack-path.js';

/** A fetch as tRPC's HTTP links call it. */
export type LinkFetch = ReturnType<typeof getFetch>;

/**
 * The delivery of one tRPC client's `messagesLink`: the list of messages to show, fed by the
 * responses that carry messages (inline) and by consumes, each message once on this tab's
 * screen and the browser's; the client header of each request (the tab, its acknowledgements,
 * its actions' claims); the acknowledgements of what was shown, sent with the next request, on
 * a request of their own before the lease ends, or as the page goes away.
 */
export class LinkDelivery {
  readonly tab: BrowserTab;
  readonly list: MessageList;
  readonly #acks: Acknowledgements;
  readonly #beacon: Beacon;
  // Responses that carried their request's messages: their mutations need no consume.
  readonly #inline = new WeakSet<object>();
  readonly #consumeWanted = new Subscribable();
  // The claims of the messages' actions whose calls are in flight.
  readonly #claims = new Set<ActionClaim>();
  // The acknowledgements each client header carries, until its request is sent.
  readonly #carried = new Map<string, string[]>();
  #client: TRPCUntypedClient<AnyRouter> | undefined;
  #leaseMs = 5000;
  // Requests of the link on their way, and who waits for none to be.
  #inFlight = 0;
  readonly #allSettled = new Subscribable();

  constructor(tab: BrowserTab, beacon: Beacon) {
    this.tab = tab;
    this.#beacon = beacon;
    this.#acks = new Acknowledgements(() => {
      void this.#client?.mutation(ACK_PATH, undefined).catch(() => {
        // Not acknowledged: the message may come again, and this tab's dedupe holds it back.
      });
    });
    this.list = new MessageList(tab.shown, (ids) => this.#acks.add(ids, this.#leaseMs));
    // The page may go away before another request carries the acknowledgements.
    globalThis.addEventListener?.('pagehide', () => this.#sendBeacon());
    globalThis.document?.addEventListener('visibilitychange', () => {
      if (!tab.visible) this.#sendBeacon();
    });
  }

  /** Lets acknowledgements that wait too long go on a request of their own, through `client`. */
  attach(client: TRPCUntypedClient<AnyRouter>): void {
    this.#client = client;
  }

  /**
   * Runs `call`, a message's action, with `claim` in the client header of every request that
   * carries its path until the call settles (a retry carries it too).
   */
  async claim<T>(claim: ActionClaim, call: () => Promise<T>): Promise<T> {
    this.#claims.add(claim);
    try {
      return await call();
    } finally {
      this.#claims.delete(claim);
    }
  }

  /**
   * The client header of a request whose calls are at `paths`: the tab, what the response may
   * carry, the acknowledgements waiting (taken now), and the claims of the actions it calls.
   */
  clientHeader(paths: readonly string[]): string {
    const acks = this.#acks.take();
    const header = formatClientHeader({
      tab: this.tab.id,
      // A tab out of view takes only its own messages: others wait for the tab in view.
      inline: this.tab.inView ? 'all' : 'own',
      acks,
      actions: [...this.#claims].filter((claim) => paths.includes(claim.path)),
    });
    if (acks.length > 0) this.#carried.set(header, acks);
    return header;
  }

  /** Wraps the terminating link's fetch: inline messages in, and what a failed request carried back. */
  fetch(inner: LinkFetch): LinkFetch {
    return async (input, init) => {
      // tRPC's links pass their headers as a plain object, the client header among them.
      const header = (init?.headers as Record<string, string> | undefined)?.[CLIENT_HEADER] ?? '';
      const acks = this.#carried.get(header) ?? [];
      this.#carried.delete(header);
      let response: Awaited<ReturnType<LinkFetch>>;
      this.#inFlight += 1;
      try {
        response = await inner(input, init);
      } catch (error) {
        this.#acks.restore(acks);
        throw error;
      } finally {
        this.#inFlight -= 1;
        if (this.#inFlight === 0) this.#allSettled.emit();
      }
      this.#read(response);
      return response;
    };
  }

  /** Resolves once none of the link's requests is on its way (at once when none is). */
  requestsSettled = (): Promise<void> =>
    new Promise((resolve) => {
      if (this.#inFlight === 0) return resolve();
      const stop = this.#allSettled.subscribe(() => {
        stop();
        resolve();
      });
    });

  /** Takes messages a consume or a response handed over, leased for `leaseMs`. */
  receive = (messages: readonly Message[], leaseMs = this.#leaseMs): void => {
    this.#leaseMs = leaseMs;
    // A message shown before came again (its acknowledgement did not land): acknowledge again.
    const again = messages.filter((m) => this.tab.shown.has(m.id)).map((m) => m.id);
    this.#acks.add(again, leaseMs);
    this.list.push(messages);
  };

  /**
   * A call settled with `response`: a mutation whose response carried nothing needs a consume
   * (but the kit's own acknowledgement, which adds nothing).
   */
  settled(type: string, path: string, response: unknown): void {
    // WeakSet.has is false for what is not an object (no response).
    if (type === 'mutation' && path !== ACK_PATH && !this.#inline.has(response as object)) {
      this.#consumeWanted.emit();
    }
  }

  /** Fires when a consume is needed: a mutation's messages did not come on its response. */
  consumeWanted: ConsumeTrigger = this.#consumeWanted.subscribe;

  #read(response: Awaited<ReturnType<LinkFetch>>): void {
    // tRPC types a fetch's response without headers: a fetch of the app's may have none.
    const { headers } = response as { headers?: { get?(name: string): string | null } };
    const inline = decodeInline(headers?.get?.(INLINE_HEADER));
    if (inline === undefined) return;
    this.#inline.add(response);
    this.receive(inline.messages, inline.leaseMs);
    // Not everything fitted the header: the rest waits for a consume.
    if (inline.more) this.#consumeWanted.emit();
  }

  #sendBeacon(): void {
    if (!this.#acks.pending) return;
    this.#beacon(formatClientHeader({ tab: this.tab.id, acks: this.#acks.take() }));
  }
}
