import type { ResponseMeta } from '@trpc/server/http';
import type { MessagesContext } from './messages-context.js';
import { requestStates } from './request-state.js';

/**
 * Wraps the app's `responseMeta` (if any) so the messages cookie survives the node adapters,
 * which replace a response's Set-Cookie headers with those `responseMeta` returns, and so a
 * consume is never cached.
 */
export function wrapResponseMeta<TOptions extends { readonly ctx?: unknown }>(
  app?: (opts: TOptions) => ResponseMeta,
): (opts: TOptions) => ResponseMeta {
  return (opts) => {
    const meta = app?.(opts) ?? {};
    const ctx = opts.ctx as MessagesContext | undefined;
    const request = ctx?.messages ? requestStates.get(ctx.messages) : undefined;
    if (!request || !meta.headers) return meta;
    const headers = new Headers(
      meta.headers instanceof Headers ? meta.headers : toHeaderPairs(meta.headers),
    );
    const own = headers.getSetCookie();
    if (own.length > 0) {
      for (const cookie of request.exchange.cookiesToRepeat()) {
        if (!own.includes(cookie)) headers.append('set-cookie', cookie);
      }
    }
    // fromRequest already made the response no-store: the app's Cache-Control must neither
    // replace that (node adapters) nor be appended to it (fetch adapter).
    if (request.noStore) headers.delete('cache-control');
    return { ...meta, headers };
  };
}

function toHeaderPairs(
  headers: Record<string, string | string[] | undefined>,
): Array<[string, string]> {
  return Object.entries(headers).flatMap(([name, value]) =>
    value === undefined
      ? []
      : (Array.isArray(value) ? value : [value]).map((v): [string, string] => [name, v]),
  );
}
