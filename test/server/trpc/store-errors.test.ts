import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorListeners } from '../../../server/reports/error-listeners.js';
import type { ListenOptions } from '../../../server/reports/listeners.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { MemoryStore } from '../../../server/stores/memory/memory-store.js';
import { createMessages } from '../../../server/trpc/create-messages.js';

const secret = 'store-errors-test-secret-0123456789';

afterEach(() => {
  vi.restoreAllMocks();
});

/** A memory store that has failures outside any request, as a Redis store's lost connection. */
class FailingStore extends MemoryStore {
  readonly #errors = new ErrorListeners();

  watchErrors(listener: (error: unknown) => void, options?: ListenOptions): () => void {
    return this.#errors.watch(listener, options);
  }

  /** A failure outside any request. */
  fail(error: unknown): void {
    this.#errors.emit(error);
  }
}

describe("a store's failures outside any request", () => {
  it("go to each kit's own onError once, with no path, however many kits share the store", () => {
    const store = new FailingStore();
    const onErrors = [vi.fn(), vi.fn(), vi.fn()];
    const kits = onErrors.map((onError) =>
      createMessages({ storage: serverStorage({ secret, store }), onError }),
    );
    const lost = new Error('the connection was lost');

    store.fail(lost);

    for (const onError of onErrors) expect(onError.mock.calls).toEqual([[lost, {}]]);
    expect(kits).toHaveLength(3);
  });

  it('are logged once by the store for 1,001 kits that have no onError of their own', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const store = new FailingStore();
    const kits = Array.from({ length: 1001 }, () =>
      createMessages({ storage: serverStorage({ secret, store }) }),
    );

    store.fail(new Error('the connection was lost'));

    expect(error).toHaveBeenCalledTimes(1);
    expect(kits).toHaveLength(1001);
  });
});
