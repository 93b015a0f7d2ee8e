export type { Backend, Loaded, Storage } from './storage/backend.js';
export {
  type CookieExchange,
  createCookieExchange,
  type HeaderCookieExchange,
} from './storage/cookie-exchange.js';
export type { CookieOptions } from './storage/cookie-options.js';
export {
  type CookieStorageOptions,
  cookieStorage,
  DEFAULT_COOKIE_BYTES,
} from './storage/cookie-storage.js';
export { type FallbackStorageOptions, fallbackStorage } from './storage/fallback-storage.js';
export {
  type DropEvent,
  type DropReason,
  MemoryStore,
  type MemoryStoreOptions,
} from './storage/memory-store.js';
export type { MessageStore } from './storage/message-store.js';
export {
  type AddOptions,
  DEFAULT_MAX_MESSAGE_BYTES,
  Messages,
  type MessagesOptions,
} from './storage/messages.js';
export { type ServerStorageOptions, serverStorage } from './storage/server-storage.js';
export type { Secret } from './storage/signer.js';
export {
  type AssertMessagesOptions,
  assertMessages,
  type ExpectedMessage,
} from './testing/assert-messages.js';
