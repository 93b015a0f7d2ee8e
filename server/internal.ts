// What the framework entries (trpc-messages/next) build on beyond the public API of
// trpc-messages/server: not exported from any entry of the package.
export {
  type NextCookies,
  type NextExchangeOptions,
  type NextHeaders,
  nextExchange,
} from './http/next-exchange.js';
