import type { ActionClaim } from '../../shared/delivery.js';
import type { ResponseExchange } from '../http/response-exchange.js';

/** What the kit keeps of one request beyond its `Messages`: its response, and how to answer. */
export interface RequestState {
  readonly exchange: ResponseExchange;
  /** The request consumes messages: its response must never be cached. */
  readonly noStore: boolean;
  /** The messages' actions the request's calls claim to run (from the client header). */
  readonly actions: readonly ActionClaim[];
  /** The paths of the request's calls that run a verified action. */
  readonly verifiedActions: Set<string>;
  /**
   * The store keys the request proves it holds (see `Backend.identities`), which an action must
   * have been offered to; `['']` where actions are bound to no one (the cookie storage).
   */
  identities(): readonly string[];
}

/** Each request's state, by its `Messages` (the one thing of it every piece of the kit sees). */
export const requestStates = new WeakMap<object, RequestState>();
