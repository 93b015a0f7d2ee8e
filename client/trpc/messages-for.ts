import type { MessageAction } from '../../shared/message.js';
import { consumeTriggers, type WatchOptions } from '../core/consume-policy.js';
import { MessageConsumer, type Receive } from '../core/message-consumer.js';
import { MessageList } from '../core/message-list.js';
import type { MessagesClient } from '../core/messages-client.js';
import { pageInbox } from '../core/page-inbox.js';
import type { LinkDelivery } from './link-delivery.js';
import { deliveryOf } from './messages-link.js';
import { runAction } from './run-action.js';
import { untypedClientOf } from './untyped-client-of.js';

/** The list of messages to show and the consumer that fills it, for one tRPC client. */
export interface ClientMessages {
  readonly list: MessageList;
  readonly consumer: MessageConsumer;
  /** The delivery of the client's `messagesLink`, when it has one. */
  readonly delivery: LinkDelivery | undefined;
  /** Where messages that reach the page go: the delivery's receive, or the list's push. */
  readonly receive: Receive;
  /** Calls a message's action through the client, claimed (see `runAction`). */
  readonly runAction: (action: MessageAction) => Promise<unknown>;
  /**
   * Keeps the list fed while something shows it: the page's own messages, a consume now, and
   * one on each event the policy names (see `consumeTriggers`). Returns the function that stops
   * this watch; the events are watched until every watch has stopped.
   */
  readonly watch: (options: WatchOptions) => () => void;
}

const byClient = new WeakMap<MessagesClient, ClientMessages>();

/**
 * The one list and consumer of a tRPC client, made on first use: every Toaster and hook on the
 * client shares them, so a message is fetched once and shown once, even before they mount. With
 * `messagesLink`, they are its delivery's: what responses carry and what consumes fetch meet.
 */
export function messagesFor(client: MessagesClient): ClientMessages {
  let found = byClient.get(client);
  if (found === undefined) {
    const untyped = untypedClientOf(client);
    const delivery = untyped && deliveryOf(untyped);
    if (untyped) delivery?.attach(untyped);
    const list = delivery?.list ?? new MessageList();
    const receive: Receive = delivery?.receive ?? ((messages) => void list.push(messages));
    const consumer = new MessageConsumer(client, {
      receive,
      tab: delivery?.tab,
      requestsSettled: delivery?.requestsSettled,
    });
    found = {
      list,
      consumer,
      delivery,
      receive,
      runAction: (action) => runAction(untyped, delivery, consumer, action),
      watch: (options) => {
        // What the server put into the page itself (first paint) comes as a consume's answer.
        const stopInbox = pageInbox.deliverTo(receive);
        const stopConsumer = consumer.watch(consumeTriggers(consumer, delivery, options));
        return () => {
          stopInbox();
          stopConsumer();
        };
      },
    };
    byClient.set(client, found);
  }
  return found;
}
