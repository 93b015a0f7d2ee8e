import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromUtf8, utf8, utf8Length, utf8Prefix } from '../../../server/encoding/utf8.js';

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

describe('utf8Length up to a most', () => {
  it('counts exactly up to the most, and past it only says it is more', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.nat({ max: 60 }), (text, most) => {
        const bytes = Buffer.byteLength(text);
        if (bytes <= most) expect(utf8Length(text, most)).toBe(bytes);
        else expect(utf8Length(text, most)).toBeGreaterThan(most);
      }),
    );
  });
});

describe('utf8Prefix', () => {
  it('gives the longest start within the bytes, cut between code points', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.nat({ max: 60 }), (text, most) => {
        const units = utf8Prefix(text, most);
        const start = text.slice(0, units);
        expect(Buffer.byteLength(start)).toBeLessThanOrEqual(most);
        // Never half a pair: the start is whole code points.
        expect([...start].join('')).toBe(start);
        expect(Buffer.from(start).toString()).toBe(start);
        if (units < text.length) {
          const next = String.fromCodePoint(text.codePointAt(units) as number);
          expect(Buffer.byteLength(start + next)).toBeGreaterThan(most);
        }
      }),
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
