import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fromBase64url,
  portableFromBase64url,
  portableToBase64url,
  textToBase64url,
  toBase64url,
  trustedBase64urlToText,
} from '../../../server/encoding/base64url.js';

describe.each([
  { name: 'with Node’s Buffer', to: toBase64url, from: fromBase64url },
  { name: 'portable (btoa and atob)', to: portableToBase64url, from: portableFromBase64url },
])('base64url, $name', ({ to, from }) => {
  it("spells bytes as Buffer's base64url does, and reads them back", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20_000 }), (bytes) => {
        const text = to(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64url'));
        expect(from(text)).toEqual(bytes);
      }),
      { numRuns: 200 },
    );
  });

  it('spells a view of part of a buffer as that part alone', () => {
    const bytes = new Uint8Array([1, 2, 3, 4, 5, 6]).subarray(2, 5);
    expect(from(to(bytes))).toEqual(new Uint8Array([3, 4, 5]));
  });

  it('refuses text that is not base64url', () => {
    for (const text of ['a+b/', 'ab==', 'a', 'abcde', 'ab c', 'é']) {
      expect(from(text)).toBeUndefined();
    }
  });
});

describe('base64url of text', () => {
  it('spells the UTF-8 of any text as Buffer does, and reads it back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 2000 }), (text) => {
        const spelled = textToBase64url(text);
        expect(spelled).toBe(Buffer.from(text).toString('base64url'));
        expect(trustedBase64urlToText(spelled)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('reads text spelled by the portable path the same way', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 500 }), (text) => {
        expect(trustedBase64urlToText(portableToBase64url(new TextEncoder().encode(text)))).toBe(
          text,
        );
      }),
    );
  });
});
