import type { ExchangeRequestOptions, Messages, RequestMessagesOptions } from '../server/index.js';
import type { TagMap } from '../shared/tags.js';

/** What the Next.js pieces need of the app's kit (`createMessages()`). */
export interface NextMessagesKit<Tags extends TagMap> {
  /** How long messages handed to a client are leased to it, in ms. */
  readonly leaseMs: number;
  fromRequest(opts: ExchangeRequestOptions, request?: RequestMessagesOptions): Messages<Tags>;
}
