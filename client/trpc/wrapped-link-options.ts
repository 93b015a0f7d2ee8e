import type { getFetch } from '@trpc/client';

/**
 * What `messagesLink` needs of the options of the link it wraps: a `url`, and a `fetch` and
 * `headers` that the link uses as tRPC's HTTP links do (both optional).
 */
export interface WrappedLinkOptions {
  readonly url: string | URL;
  readonly fetch?: Parameters<typeof getFetch>[0];
}
