import { NodeBuffer } from '../runtime/node-builtin.js';
import { fromUtf8, utf8 } from './utf8.js';

// base64url (RFC 4648 §5) without padding, the spelling cookie values and ids use: Node's
// Buffer where the runtime has it (five times faster), else by hand over btoa/atob, which every
// runtime has (Uint8Array's toBase64 is not in Node 20).

/** `bytes` in base64url, unpadded. */
export function toBase64url(bytes: Uint8Array): string {
  if (!NodeBuffer) return portableToBase64url(bytes);
  return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64url');
}

/** The bytes base64url `text` spells; undefined when it is not base64url. */
export function fromBase64url(text: string): Uint8Array | undefined {
  if (!NodeBuffer) return portableFromBase64url(text);
  if (!isBase64url(text)) return undefined;
  const bytes = NodeBuffer.from(text, 'base64url');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** The UTF-8 of `text` in base64url, unpadded: one native pass with Node's Buffer. */
export function textToBase64url(text: string): string {
  return NodeBuffer ? NodeBuffer.from(text).toString('base64url') : toBase64url(utf8(text));
}

/**
 * The text whose UTF-8 base64url `text` spells, for text known to be one of ours (its signature
 * verified): not checked for stray characters or invalid UTF-8, which only a forger could send,
 * and only with the secret. Undefined where the portable path finds it is not base64url.
 */
export function trustedBase64urlToText(text: string): string | undefined {
  if (NodeBuffer) return NodeBuffer.from(text, 'base64url').toString();
  const bytes = portableFromBase64url(text);
  return bytes && fromUtf8(bytes);
}

/** `toBase64url` on any runtime, over btoa. */
export function portableToBase64url(bytes: Uint8Array): string {
  let binary = '';
  // In chunks: fromCharCode takes its arguments on the stack.
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary).replace(/[+/=]/g, (c) => (c === '+' ? '-' : c === '/' ? '_' : ''));
}

/** `fromBase64url` on any runtime, over atob. */
export function portableFromBase64url(text: string): Uint8Array | undefined {
  if (!isBase64url(text)) return undefined;
  const binary = atob(text.replace(/[-_]/g, (c) => (c === '-' ? '+' : '/')));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// Unpadded base64url never leaves a lone character in its last group of four.
const isBase64url = (text: string) => BASE64URL.test(text) && text.length % 4 !== 1;

const CHUNK = 8192;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
