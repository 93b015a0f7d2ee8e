/**
 * A result that a step gives at once when it needs no I/O (the cookie's), or later. Awaiting a
 * value that is ready costs a turn of the microtask queue and a promise per await: on the cookie
 * storage's path, where a request's whole step takes a couple of microseconds, those turns cost
 * as much again as the step.
 */
export type MaybePromise<T> = T | PromiseLike<T>;

/** Whether `value` is a promise (any thenable), not a ready result. */
export function isPending<T>(value: MaybePromise<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** `next` of `value`: at once when it is ready, else once it is. */
export function andThen<T, U>(
  value: MaybePromise<T>,
  next: (ready: T) => MaybePromise<U>,
): MaybePromise<U> {
  return isPending(value) ? value.then(next) : next(value);
}

/** What `run` gives, as a promise: a throw becomes a rejection, a ready result a resolved one. */
export function settle<T>(run: () => MaybePromise<T>): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error);
  }
}
