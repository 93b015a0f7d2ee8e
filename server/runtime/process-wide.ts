// Under a versioned symbol on globalThis, so every copy of the module in one process finds the
// same values: a framework that bundles the library twice (Next.js puts Server Actions in a
// chunk of their own) or re-runs it on a recompile (`next dev`) keeps one default store and one
// development secret. Bump the version when the shape of what is shared changes, so copies of
// incompatible versions never share.
const SHARED = Symbol.for('trpc-messages.process-wide.v1');

type Shared = Map<string, unknown>;
type Holder = { [SHARED]?: Shared };

/** The process's one value under `name`, made by `create` the first time any copy asks. */
export function processWide<T>(name: string, create: () => T): T {
  const holder = globalThis as Holder;
  holder[SHARED] ??= new Map();
  const shared = holder[SHARED];
  if (!shared.has(name)) shared.set(name, create());
  return shared.get(name) as T;
}
