import { getUntypedClient, type TRPCUntypedClient } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';

/** The untyped client under a tRPC client; undefined for an object that is not one. */
export function untypedClientOf(client: object): TRPCUntypedClient<AnyRouter> | undefined {
  // getUntypedClient reads a symbol that every client createTRPCClient made carries.
  return getUntypedClient(client as Parameters<typeof getUntypedClient>[0]);
}
