import { TRPCError } from '@trpc/server';
import type { TagMap } from '../../shared/tags.js';
import type { Signer } from '../crypto/signer.js';
import type { Messages } from '../messages/messages.js';
import { MessagesDroppedError } from '../reports/messages-dropped-error.js';
import type { MessageStore } from '../storage/message-store.js';
import { checkAction } from './actions.js';
import { writeInline } from './inline-delivery.js';
import type { MessagesContext } from './messages-context.js';
import type { Reporter } from './reporter.js';
import { type RequestState, requestStates } from './request-state.js';

/** The `persist` middleware, and the save it runs, for one kit. */
export interface Persistence<Tags extends TagMap> {
  /**
   * The middleware that stores what each procedure queued before its result is sent (it runs
   * after the procedure, also when it threw). Put it on the app's base procedure.
   */
  persist<TResult>(opts: {
    readonly ctx: MessagesContext<Tags>;
    readonly path: string;
    readonly getRawInput: () => Promise<unknown>;
    readonly next: () => Promise<TResult>;
  }): Promise<TResult>;
}

/** How a kit checks the calls that claim to run a message's action. */
export interface ActionChecks {
  /** The signer of the kit's actions. */
  readonly signer: Signer;
  /** Where a token is recorded once used. */
  readonly usedTokens: Pick<MessageStore, 'markUsed'>;
}

/**
 * Builds the `persist` middleware: a failure to store is reported, never a failed call; what the
 * response should carry (inline delivery) goes on it. A call that claims to run a message's
 * action is checked first, and refused, before it runs, unless it is what was offered, to this
 * request's recipient, in time, and its token was never used.
 */
export function createPersistence<Tags extends TagMap>(
  reporter: Reporter,
  leaseMs: number,
  actions: ActionChecks,
): Persistence<Tags> {
  async function save(messages: Messages<TagMap>, path: string): Promise<void> {
    const request = requestStates.get(messages);
    if (messages.inline && request?.exchange.gone) messages.stopInline();
    try {
      const dropped = await messages.update();
      if (dropped.length > 0) {
        const error = new MessagesDroppedError(
          { 'cookie-full': dropped.length },
          { messages: dropped },
        );
        reporter.report(error, path);
      }
    } catch (error) {
      reporter.fail(messages, error, path);
    }
    if (request && messages.inline) writeInline(request.exchange, messages, leaseMs);
  }
  /** Refuses the call of `path` unless it is the action its claim says, unused; else records it. */
  async function verifyAction(
    request: RequestState,
    path: string,
    input: unknown,
  ): Promise<TRPCError | undefined> {
    const check = checkAction(request.actions, path, input, actions.signer, request.identities());
    if (check.kind === 'none') return undefined;
    if (check.kind === 'refused') return new TRPCError({ code: check.code, message: check.reason });
    let first: boolean;
    try {
      first = await actions.usedTokens.markUsed(check.tokenId, check.expiresAt);
    } catch (error) {
      reporter.report(error, path);
      // Run twice is worse than not run: without the record, the action is refused.
      return new TRPCError({
        code: 'PRECONDITION_FAILED',
        message:
          `trpc-messages: the action ${path} could not be recorded as used (the store failed), ` +
          'so it was not run; try again',
      });
    }
    if (!first) {
      return new TRPCError({
        code: 'CONFLICT',
        message: `trpc-messages: the action ${path} was taken already; an action runs once`,
      });
    }
    request.verifiedActions.add(path);
    return undefined;
  }

  return {
    async persist(opts) {
      const { messages } = opts.ctx;
      const request = messages ? requestStates.get(messages) : undefined;
      if (messages && request && request.actions.length > 0) {
        const refusal = await verifyAction(request, opts.path, await opts.getRawInput());
        if (refusal) {
          await save(messages, opts.path);
          throw refusal;
        }
      }
      const result = await opts.next();
      if (messages) await save(messages, opts.path);
      return result;
    },
  };
}
