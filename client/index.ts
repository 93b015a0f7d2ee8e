export * from '../shared/index.js';
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
export { DEFAULT_DURATIONS, type ToastKind, toastKind } from './toaster/toast-kind.js';
export { Toaster, type ToasterProps } from './toaster/toaster.js';
export { type ClientMessages, messagesFor } from './trpc/messages-for.js';
export { messagesLink } from './trpc/messages-link.js';
export type { WrappedLinkOptions } from './trpc/wrapped-link-options.js';
