export {
  CLIENT_HEADER,
  type ClientHeader,
  INLINE_HEADER,
  parseClientHeader,
} from '../shared/delivery.js';
export { MissingSecretError, type Secret } from './crypto/signer.js';
export {
  type CookieExchange,
  createCookieExchange,
  type HeaderCookieExchange,
} from './http/cookie-exchange.js';
export { fetchExchange } from './http/fetch-exchange.js';
export { nodeExchange } from './http/node-exchange.js';
export type { ResponseExchange } from './http/response-exchange.js';
export {
  MessageInputError,
  type MessageOutcome,
  type MessageProblem,
} from './messages/message-input-error.js';
export {
  type AddOptions,
  DEFAULT_LEASE_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  type Delivery,
  Messages,
  type MessagesOptions,
  type MessageText,
} from './messages/messages.js';
export { type RecipientMessages, sendTo } from './messages/send-to.js';
export type { ListenOptions } from './reports/listeners.js';
export {
  type DropCounts,
  type DroppedBecause,
  MessagesDroppedError,
} from './reports/messages-dropped-error.js';
export {
  type Backend,
  type Committed,
  type MessageStorage,
  type OpenOptions,
  type Recipient,
  recipientKey,
  type Storage,
} from './storage/backend.js';
export {
  type CookieStorageOptions,
  cookieStorage,
  DEFAULT_COOKIE_BYTES,
  StreamedCookieError,
} from './storage/cookie/cookie-storage.js';
export type { CookieOptions } from './storage/cookie/cookie-writer.js';
export {
  type Applied,
  applyChange,
  type KeyState,
  TAKE_HOLDER_PREFIX,
} from './storage/delivery-rule.js';
export { type FallbackStorageOptions, fallbackStorage } from './storage/fallback-storage.js';
export {
  type HandOut,
  type HeldLease,
  KEY_RETIRED,
  type Lease,
  type MessageStore,
  RetiredKeyError,
  type Retirement,
  type StoreChange,
} from './storage/message-store.js';
export { type ServerStorageOptions, serverStorage } from './storage/server-storage.js';
export {
  type DropEvent,
  type DropReason,
  MemoryStore,
  type MemoryStoreOptions,
} from './stores/memory/memory-store.js';
export { RedisOutageError } from './stores/redis/redis-outage.js';
export {
  type IoredisClient,
  type IoredisCluster,
  type NodeRedisClient,
  type NodeRedisCluster,
  RedisStore,
  type RedisStoreClient,
  type RedisStoreOptions,
} from './stores/redis/redis-store.js';
export type {
  ActionMaker,
  ActionSpec,
  MutationInput,
  MutationPaths,
} from './trpc/actions.js';
export { type AddMessageOptions, addMessage, MessageFailure } from './trpc/add-message.js';
export {
  type CreateMessagesOptions,
  createMessages,
  type MessagesKit,
} from './trpc/create-messages.js';
export type {
  ExchangeRequestOptions,
  FetchRequestOptions,
  NodeRequestOptions,
  RequestMessagesOptions,
} from './trpc/from-request.js';
export type { MessagesContext } from './trpc/messages-context.js';
export { type SuccessMessageArgs, successMessage } from './trpc/success-message.js';
