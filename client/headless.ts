// trpc-messages/client/headless: the client without the Toaster (and sonner), for apps that
// show messages with their own UI: the core, the link, messagesFor and useMessages.
export * from '../shared/index.js';
export type { WatchOptions } from './core/consume-policy.js';
export {
  type ConsumeTrigger,
  mutationSettled,
  reconnected,
  windowFocused,
} from './core/consume-triggers.js';
export {
  MessageConsumer,
  type MessageConsumerOptions,
  type Receive,
} from './core/message-consumer.js';
export { type ListedMessage, MessageList } from './core/message-list.js';
export type { MessagesClient } from './core/messages-client.js';
export {
  type UseMessagesOptions,
  type UseMessagesResult,
  useMessages,
} from './react/use-messages.js';
export { type ClientMessages, messagesFor } from './trpc/messages-for.js';
export { messagesLink } from './trpc/messages-link.js';
export type { WrappedLinkOptions } from './trpc/wrapped-link-options.js';
