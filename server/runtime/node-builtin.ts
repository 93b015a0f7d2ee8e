import type * as NodeBufferModule from 'node:buffer';
import type * as NodeCrypto from 'node:crypto';

// Node's own modules where the runtime has them (Node, Bun, Deno, workerd with nodejs_compat),
// for the fast paths that pay there; undefined elsewhere. Looked up with
// `process.getBuiltinModule`, never imported, so bundlers for edge runtimes never see `node:`.

/** node:crypto, with the one-shot `hash` (Node 20.12 and later), or undefined. */
export function nodeCrypto(): typeof NodeCrypto | undefined {
  const crypto = builtinModule('node:crypto');
  return typeof crypto?.hash === 'function' ? crypto : undefined;
}

/** node:buffer's Buffer, or undefined. */
export const NodeBuffer: typeof NodeBufferModule.Buffer | undefined =
  builtinModule('node:buffer')?.Buffer;

interface Builtins {
  'node:buffer': typeof NodeBufferModule;
  'node:crypto': typeof NodeCrypto;
}

function builtinModule<Id extends keyof Builtins>(id: Id): Builtins[Id] | undefined {
  try {
    return globalThis.process?.getBuiltinModule?.(id);
  } catch {
    // Next.js's edge runtime stubs its process's Node functions with ones that throw.
    return undefined;
  }
}
