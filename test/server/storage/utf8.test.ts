import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromUtf8, utf8, utf8Length } from '../../../server/storage/utf8.js';

describe('utf8Length', () => {
  it('counts the bytes Buffer.byteLength counts, lone surrogates included', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.string({
          unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u)),
        }),
        (text, surrogates) => {
          const mixed = text + surrogates + text;
          expect(utf8Length(mixed)).toBe(Buffer.byteLength(mixed));
        },
      ),
    );
  });
});

describe('utf8 and fromUtf8', () => {
  it('round-trip any well-formed text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(fromUtf8(utf8(text))).toBe(text);
      }),
    );
  });

  it('refuse bytes that are not UTF-8', () => {
    expect(() => fromUtf8(new Uint8Array([0xff, 0xfe]))).toThrow(TypeError);
  });
});
