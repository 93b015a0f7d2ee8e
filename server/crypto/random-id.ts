import { toBase64url } from '../encoding/base64url.js';

/** A random id of `bytes` bytes of entropy from the runtime's CSPRNG, in base64url. */
export function randomId(bytes: number): string {
  return toBase64url(crypto.getRandomValues(new Uint8Array(bytes)));
}
