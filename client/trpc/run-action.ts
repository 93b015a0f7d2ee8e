import type { TRPCUntypedClient } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import type { MessageAction } from '../../shared/message.js';
import type { MessageConsumer } from '../core/message-consumer.js';
import type { LinkDelivery } from './link-delivery.js';

/**
 * Calls a message's action (an Undo): the mutation at its path with its input, through the
 * app's client, with its claim in the client header of the requests that carry the call (the
 * server runs it only as what it signed). The call's messages come on its response (with
 * `messagesLink`), or a consume fetches them. Resolves with the mutation's result.
 */
export function runAction(
  client: TRPCUntypedClient<AnyRouter> | undefined,
  delivery: LinkDelivery | undefined,
  consumer: MessageConsumer,
  { path, input, token }: MessageAction,
): Promise<unknown> {
  // A dotted path reaches any mutation of the router.
  const call = async () => {
    if (!client) {
      throw new TypeError(
        'trpc-messages: the client given is not a tRPC client; pass the one createTRPCClient made',
      );
    }
    return client.mutation(path, input);
  };
  if (delivery) return delivery.claim({ path, token }, call);
  if (process.env.NODE_ENV !== 'production') {
    console.warn(
      `trpc-messages: the action ${path} is called without its claim, as the client has no ` +
        'messagesLink to send it: the server runs it as a plain call (a procedure with ' +
        "requireAction refuses it). Put messagesLink around the client's HTTP link.",
    );
  }
  // Not a React Query mutation, which the consume triggers watch: its messages are asked for here.
  return call().finally(consumer.consume);
}
