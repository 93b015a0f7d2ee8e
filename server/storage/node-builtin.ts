import type * as NodeBufferModule from 'node:buffer';
import type * as NodeCrypto from 'node:crypto';

// Node's own modules where the runtime has them (Node, Bun, Deno, workerd with nodejs_compat),
// for the fast paths that pay there; undefined elsewhere. Looked up with
// `process.getBuiltinModule`, never imported, so bundlers for edge runtimes never see `node:`.
const builtin = globalThis.process?.getBuiltinModule;

/** node:crypto, with the one-shot `hash` (Node 20.12 and later), or undefined. */
export function nodeCrypto(): typeof NodeCrypto | undefined {
  const crypto = builtin?.('node:crypto');
  return typeof crypto?.hash === 'function' ? crypto : undefined;
}

/** node:buffer's Buffer, or undefined. */
export const NodeBuffer: typeof NodeBufferModule.Buffer | undefined =
  builtin?.('node:buffer')?.Buffer;
