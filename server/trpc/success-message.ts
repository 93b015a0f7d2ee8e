import type { TagMap } from '../../shared/tags.js';
import type { AddOptions, Messages } from '../messages/messages.js';

/** What a success message is built from: the procedure's parsed input and its result. */
export interface SuccessMessageArgs<TInput, TOutput> {
  readonly input: TInput;
  readonly output: TOutput;
}

/**
 * Django's SuccessMessageMixin as a middleware: after the procedure succeeds, adds a success
 * message built from its input and output (nothing when it fails or `build` returns '').
 * The input is typed from the procedure's `.input()`; tRPC runs middlewares before the
 * resolver, so name the output type when the message needs it:
 * `successMessage<Input, Task>(({ output }) => \`Task "${output.title}" created.\`)`.
 */
export function successMessage<TInput, TOutput = unknown>(
  build: (args: SuccessMessageArgs<TInput, TOutput>) => string,
  options?: AddOptions,
) {
  return async <
    TResult extends { readonly ok: true; readonly data: unknown } | { readonly ok: false },
  >(opts: {
    readonly ctx: { readonly messages?: Messages<TagMap> | undefined };
    readonly input: TInput;
    readonly next: () => Promise<TResult>;
  }): Promise<TResult> => {
    const result = await opts.next();
    if (result.ok && opts.ctx.messages) {
      // The resolver's result is the output the caller gets: its type is the caller's to name.
      const output = result.data as TOutput;
      opts.ctx.messages.success(build({ input: opts.input, output }), options);
    }
    return result;
  };
}
