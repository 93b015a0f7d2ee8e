import { getFetch, type Operation } from '@trpc/client';
import { CLIENT_HEADER } from '../../shared/delivery.js';
import { ACK_PATH } from './ack-path.js';
import { appHeaders } from './app-headers.js';
import type { WrappedLinkOptions } from './wrapped-link-options.js';

/** Sends acknowledgements on a request that outlives the page (`fetch` with `keepalive`). */
export type Beacon = (clientHeader: string) => void;

/**
 * Sends acknowledgements to the kit's acknowledgement mutation on a request that outlives the
 * page, with the headers the app gives its link (a function of theirs is asked with the
 * acknowledgement as its operation).
 */
export function ackBeacon(options: WrappedLinkOptions & { readonly headers?: unknown }): Beacon {
  const url = `${String(options.url).replace(/\/$/, '')}/${ACK_PATH}`;
  const send = getFetch(options.fetch);
  const op: Operation = {
    id: 0,
    type: 'mutation',
    path: ACK_PATH,
    input: undefined,
    context: {},
    signal: null,
  };
  return (clientHeader) => {
    void appHeaders(options, { op, opList: [op] })
      .then((headers) => {
        // tRPC answers a POST without a JSON content type 415, even when it reads no body.
        headers.set('content-type', 'application/json');
        headers.set(CLIENT_HEADER, clientHeader);
        return send(url, { method: 'POST', keepalive: true, headers });
      })
      .catch(() => {
        // The page is going away: what was not acknowledged may come again, held back here.
      });
  };
}
