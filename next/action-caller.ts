import { experimental_nextAppDirCaller } from '@trpc/server/adapters/next-app-dir';
import type { Messages, RequestMessagesOptions } from '../server/index.js';
import type { TagMap } from '../shared/tags.js';
import { actionMessages, settleAction } from './action-messages.js';
import type { NextMessagesKit } from './next-messages-kit.js';

/** The context a Server Action's procedure gets from `nextActionCaller`. */
export interface ActionContext<Tags extends TagMap> {
  readonly messages: Messages<Tags>;
}

/** A caller for `procedure.experimental_caller`, as tRPC's `experimental_nextAppDirCaller` makes. */
export type ActionCaller<TContext, TMeta> = ReturnType<
  typeof experimental_nextAppDirCaller<TContext, TMeta>
>;

/** Settings of `nextActionCaller`. */
export interface NextActionCallerOptions {
  /** Who is signed in, if anyone: their messages are kept under their id (see `fromRequest`). */
  readonly request?: () => RequestMessagesOptions | Promise<RequestMessagesOptions>;
  /** Transform a submitted FormData into an object before the procedure's input (default true). */
  readonly normalizeFormData?: boolean;
}

/**
 * tRPC's Server Action caller with `ctx.messages`:
 * `procedure.experimental_caller(nextActionCaller(messages))`. The procedure's `persist` stores
 * what it queued; then the action is settled (see `settleAction`), so its messages reach the
 * page in the action's own response. `redirect()` and `notFound()` work as in any action.
 */
export function nextActionCaller<Tags extends TagMap, TMeta = unknown>(
  kit: NextMessagesKit<Tags>,
  options: NextActionCallerOptions = {},
): ActionCaller<ActionContext<Tags>, TMeta> {
  return async (opts) => {
    const messages = await actionMessages(kit, await options.request?.());
    const caller = experimental_nextAppDirCaller<ActionContext<Tags>, TMeta>({
      createContext: () => ({ messages }),
      ...(options.normalizeFormData === undefined
        ? {}
        : { normalizeFormData: options.normalizeFormData }),
    });
    try {
      return await caller(opts);
    } finally {
      await settleAction(messages);
    }
  };
}
