export {
  type NextCookies,
  type NextExchangeOptions,
  type NextHeaders,
  nextExchange,
} from '../server/internal.js';
export {
  type ActionCaller,
  type ActionContext,
  type NextActionCallerOptions,
  nextActionCaller,
} from './action-caller.js';
export { actionMessages, settleAction, withActionMessages } from './action-messages.js';
export { FlashMessages, type FlashMessagesProps } from './flash-messages.js';
export type { NextMessagesKit } from './next-messages-kit.js';
export { PaintedMessages, type PaintedMessagesProps } from './painted-messages.js';
export {
  type PageDelivery,
  type PageOptions,
  pageMessages,
  takePageMessages,
} from './take-page-messages.js';
