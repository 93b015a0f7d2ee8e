import { MessageConsumer, type MessagesClient } from './message-consumer.js';
import { MessageList } from './message-list.js';

/** The list of messages to show and the consumer that fills it, for one tRPC client. */
export interface ClientMessages {
  readonly list: MessageList;
  readonly consumer: MessageConsumer;
}

const byClient = new WeakMap<MessagesClient, ClientMessages>();

/**
 * The one list and consumer of a tRPC client, made on first use: every Toaster and hook on the
 * client shares them, so a message is fetched once and shown once, even before they mount.
 */
export function messagesFor(client: MessagesClient): ClientMessages {
  let found = byClient.get(client);
  if (found === undefined) {
    const list = new MessageList();
    found = { list, consumer: new MessageConsumer(client, list) };
    byClient.set(client, found);
  }
  return found;
}
