// The test helpers, on an entry of their own (Django's `messages.test`): they use node:assert,
// which the server entry must not pull into edge bundles.
export {
  type AssertMessagesOptions,
  assertMessages,
  type ExpectedMessage,
} from './assert-messages.js';
export {
  messageStoreContract,
  type StoreCheck,
  type StoreContractOptions,
} from './message-store-contract.js';
