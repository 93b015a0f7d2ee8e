export {
  CLIENT_HEADER,
  type ClientHeader,
  INLINE_HEADER,
  parseClientHeader,
} from '../shared/delivery.js';
export { fetchExchange } from './adapters/fetch.js';
export { nodeExchange } from './adapters/node.js';
export type { ResponseExchange } from './adapters/response-exchange.js';
export {
  type Backend,
  type Committed,
  type OpenOptions,
  type Recipient,
  recipientKey,
  type Storage,
} from './storage/backend.js';
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
  StreamedCookieError,
} from './storage/cookie-storage.js';
export { type FallbackStorageOptions, fallbackStorage } from './storage/fallback-storage.js';
export type { ListenOptions } from './storage/listeners.js';
export {
  type DropEvent,
  type DropReason,
  MemoryStore,
  type MemoryStoreOptions,
} from './storage/memory-store.js';
export {
  MessageInputError,
  type MessageOutcome,
  type MessageProblem,
} from './storage/message-input-error.js';
export type {
  HandOut,
  HeldLease,
  Lease,
  MessageStore,
  StoreChange,
} from './storage/message-store.js';
export {
  type AddOptions,
  DEFAULT_LEASE_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  type Delivery,
  Messages,
  type MessagesOptions,
  type MessageText,
} from './storage/messages.js';
export {
  type DropCounts,
  type DroppedBecause,
  MessagesDroppedError,
} from './storage/messages-dropped-error.js';
export { type RecipientMessages, sendTo } from './storage/outbox.js';
export { RedisOutageError } from './storage/redis-outage.js';
export {
  type IoredisClient,
  type IoredisCluster,
  type NodeRedisClient,
  type NodeRedisCluster,
  RedisStore,
  type RedisStoreClient,
  type RedisStoreOptions,
} from './storage/redis-store.js';
export { type ServerStorageOptions, serverStorage } from './storage/server-storage.js';
export { MissingSecretError, type Secret } from './storage/signer.js';
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
