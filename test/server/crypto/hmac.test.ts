import { createHmac, hash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmacKey, NodeHmacKey, PortableHmacKey } from '../../../server/crypto/hmac.js';

const keys = [new Uint8Array(32).fill(7), new Uint8Array(1), new Uint8Array(64).fill(255)];

describe.each([
  { name: 'NodeHmacKey', make: (key: Uint8Array) => new NodeHmacKey(key, hash) },
  { name: 'PortableHmacKey', make: (key: Uint8Array) => new PortableHmacKey(key) },
])('$name', ({ make }) => {
  it('signs as createHmac does, on values long and short following one another', () => {
    // One key object per key for the whole run: a long value grows its buffer for the next.
    const signers = keys.map((key) => ({ key, signer: make(key) }));
    fc.assert(
      fc.property(
        fc.constantFrom(...signers),
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'binary', minLength: 400, maxLength: 3000 }),
        ),
        ({ key, signer }, value) => {
          expect(signer.sign(value)).toBe(
            createHmac('sha256', key).update(value).digest('base64url'),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('hmacKey', () => {
  it("takes node:crypto's fast path where the runtime has node:crypto", () => {
    expect(hmacKey(new Uint8Array(32))).toBeInstanceOf(NodeHmacKey);
  });
});
