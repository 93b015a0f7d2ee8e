export * from '../shared/index.js';
export { mutationSettled, reconnected, windowFocused } from './consume-triggers.js';
export {
  type ConsumeTrigger,
  MessageConsumer,
  type MessageConsumerOptions,
  type MessagesClient,
  type Receive,
} from './message-consumer.js';
export { type ListedMessage, MessageList } from './message-list.js';
export { type ClientMessages, messagesFor } from './messages-for.js';
export { messagesLink, type WrappedLinkOptions } from './messages-link.js';
export {
  DEFAULT_DURATIONS,
  Toaster,
  type ToasterProps,
  type ToastKind,
  toastKind,
} from './toaster.js';
export { type UseMessagesOptions, type UseMessagesResult, useMessages } from './use-messages.js';
