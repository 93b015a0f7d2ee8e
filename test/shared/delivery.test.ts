import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_HEADER,
  type ClientHeader,
  decodeInline,
  encodeInline,
  formatClientHeader,
  INLINE_HEADER,
  MAX_ACKS,
  MAX_INLINE_HEADER_LENGTH,
  parseClientHeader,
} from '../../shared/delivery.js';
import { SUCCESS } from '../../shared/levels.js';
import { type Message, messageSchema } from '../../shared/message.js';

const TAB_ID = /^[A-Za-z0-9_-]{8,64}$/;
const ACK_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** The longest client header the server reads; a longer one is ignored whole. */
const MAX_CLIENT_HEADER_LENGTH = 8192;

/** A message as the server would send it, identified by `id`. */
function message(id: string, text = `Message ${id}.`): Message {
  return { id, level: SUCCESS, message: text, extraTags: '', levelTag: 'success', tags: 'success' };
}

/** The ids of `n` messages, `prefix-0` first. */
const idsOf = (n: number, prefix = 'id') => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

/** Whether `value` is a header value a browser reads back unchanged: printable ASCII only. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

const tabId = fc.stringMatching(TAB_ID);
const ackId = fc.stringMatching(ACK_ID);
const inline = fc.constantFrom(undefined, 'own' as const, 'all' as const);
const clientHeader: fc.Arbitrary<ClientHeader> = fc.record({
  tab: fc.option(tabId, { nil: undefined }),
  inline,
  acks: fc.array(ackId, { maxLength: 2 * MAX_ACKS }),
});

/** Text of any UTF-16 code units: every plane, controls, DEL, lone surrogates. */
const anyText = (maxLength: number) =>
  fc.string({
    maxLength,
    unit: fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
      fc.constantFrom('\u007f', '\u0000', '\n', '"', '\\', '\u2028'),
    ),
  });

/** Messages with any text in every field. */
const anyMessage = (maxLength: number): fc.Arbitrary<Message> =>
  fc.record({
    id: anyText(maxLength).filter((id) => id.length > 0),
    level: fc.integer(),
    message: anyText(maxLength),
    extraTags: anyText(maxLength),
    levelTag: anyText(maxLength),
    tags: anyText(maxLength),
  });

/** Strings shaped like client headers (names, separators, ids, junk), to reach every branch. */
const headerLike = fc
  .array(
    fc.oneof(
      fc.constantFrom('tab=', 'inline=', 'ack=', 'own', 'all', ';', '; ', ' ', '=', 'tab', 'ack'),
      ackId,
      tabId,
      fc.string({ unit: 'binary', maxLength: 8 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

describe('formatClientHeader', () => {
  it('writes the tab, what may come inline and the acknowledgements', () => {
    expect(formatClientHeader({ tab: 'tab-0001', inline: 'all', acks: ['a1', 'b2'] })).toBe(
      'tab=tab-0001; inline=all; ack=a1 b2',
    );
  });

  it('leaves out what the client has not to say', () => {
    expect(formatClientHeader({ tab: 'tab-0001', acks: [] })).toBe('tab=tab-0001');
    expect(formatClientHeader({ inline: 'own', acks: [] })).toBe('inline=own');
    expect(formatClientHeader({ acks: ['a1'] })).toBe('ack=a1');
    expect(formatClientHeader({ acks: [] })).toBe('');
  });

  it(`carries at most ${MAX_ACKS} acknowledgements, the first ones`, () => {
    const acks = idsOf(MAX_ACKS + 50);
    expect(formatClientHeader({ acks })).toBe(`ack=${acks.slice(0, MAX_ACKS).join(' ')}`);
  });

  it('writes a value fetch accepts as a header, for any valid tab, inline and acks', () => {
    fc.assert(
      fc.property(clientHeader, (header) => {
        const value = formatClientHeader(header);
        expect(value).toMatch(PRINTABLE_ASCII);
        const headers = new Headers();
        headers.set(CLIENT_HEADER, value);
        expect(headers.get(CLIENT_HEADER)).toBe(value);
      }),
    );
  });
});

describe('parseClientHeader', () => {
  it('reads back what formatClientHeader wrote, for any valid tab, inline and acks', () => {
    fc.assert(
      fc.property(clientHeader, (header) => {
        const parsed = parseClientHeader(formatClientHeader(header));
        // A header that says nothing is written as '' and read as no header (see below).
        expect(parsed ?? { acks: [] }).toEqual({
          tab: header.tab,
          inline: header.inline,
          acks: header.acks.slice(0, MAX_ACKS),
        });
      }),
    );
  });

  it('reads no header from a missing or empty value', () => {
    expect(parseClientHeader(undefined)).toBeUndefined();
    expect(parseClientHeader(null)).toBeUndefined();
    expect(parseClientHeader('')).toBeUndefined();
  });

  it('reads the fields in any order, around any spaces', () => {
    expect(parseClientHeader('  ack=a1   b2 ;inline=own;   tab=tab-0001  ')).toEqual({
      tab: 'tab-0001',
      inline: 'own',
      acks: ['a1', 'b2'],
    });
  });

  it('leaves out a malformed tab and keeps the rest', () => {
    const malformed = ['short', 'x'.repeat(65), 'tab 0001', 'tab.0001', 'täb-0001', ''];
    for (const tab of malformed) {
      expect(parseClientHeader(`tab=${tab}; inline=all; ack=a1`), tab).toEqual({
        tab: undefined,
        inline: 'all',
        acks: ['a1'],
      });
    }
  });

  it('leaves out an inline value other than own or all', () => {
    for (const value of ['ALL', 'some', 'own all', '']) {
      expect(parseClientHeader(`tab=tab-0001; inline=${value}`)?.inline, value).toBeUndefined();
    }
  });

  it('drops malformed acknowledgement ids and keeps the good ones, in order', () => {
    const tooLong = 'x'.repeat(65);
    expect(parseClientHeader(`ack=good bad! ${tooLong} a.b ok_2 é last-1`)?.acks).toEqual([
      'good',
      'ok_2',
      'last-1',
    ]);
  });

  it(`keeps the first ${MAX_ACKS} acknowledgements of a header that carries more`, () => {
    const acks = idsOf(3 * MAX_ACKS);
    expect(parseClientHeader(`tab=tab-0001; ack=${acks.join(' ')}`)?.acks).toEqual(
      acks.slice(0, MAX_ACKS),
    );
  });

  it(`ignores a header longer than ${MAX_CLIENT_HEADER_LENGTH} characters whole`, () => {
    const prefix = 'tab=tab-0001; inline=all; ack=a1 ';
    const atLimit = prefix + ' '.repeat(MAX_CLIENT_HEADER_LENGTH - prefix.length);
    expect(atLimit).toHaveLength(MAX_CLIENT_HEADER_LENGTH);
    expect(parseClientHeader(atLimit)).toEqual({ tab: 'tab-0001', inline: 'all', acks: ['a1'] });
    expect(parseClientHeader(`${atLimit} `)).toBeUndefined();
  });

  it('ignores a part without an equals sign', () => {
    expect(parseClientHeader('tab=tab-0001; ack1')).toEqual({
      tab: 'tab-0001',
      inline: undefined,
      acks: [],
    });
  });

  it('never throws, and bounds what it reads, whatever a client sends', () => {
    const anything = fc.oneof(
      headerLike,
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'binary', minLength: MAX_CLIENT_HEADER_LENGTH - 8, maxLength: 9000 }),
      fc.array(ackId, { maxLength: 400 }).map((ids) => `tab=tab-0001; ack=${ids.join(' ')}`),
    );
    fc.assert(
      fc.property(anything, (value) => {
        const parsed = parseClientHeader(value);
        if (value.length > MAX_CLIENT_HEADER_LENGTH || value === '') {
          expect(parsed).toBeUndefined();
          return;
        }
        expect(parsed).toBeDefined();
        if (parsed === undefined) return;
        expect(parsed.acks.length).toBeLessThanOrEqual(MAX_ACKS);
        for (const id of parsed.acks) expect(id).toMatch(ACK_ID);
        if (parsed.tab !== undefined) expect(parsed.tab).toMatch(TAB_ID);
        expect([undefined, 'own', 'all']).toContain(parsed.inline);
      }),
    );
  });
});

describe('encodeInline', () => {
  it('writes the messages, the lease and whether more wait, as JSON', () => {
    const saved = message('a1', 'Saved.');
    expect(JSON.parse(encodeInline([saved], 5000))).toEqual({
      messages: [saved],
      leaseMs: 5000,
      more: false,
    });
    expect(encodeInline([], 5000)).toBe('{"messages":[],"leaseMs":5000,"more":false}');
  });

  it('escapes every character past printable ASCII', () => {
    const value = encodeInline([message('a1', 'Gespeichert ✓ 😀\u007f')], 5000);
    expect(value).toContain('Gespeichert \\u2713 \\ud83d\\ude00\\u007f');
    expect(value).toMatch(PRINTABLE_ASCII);
  });

  it('writes printable ASCII that fetch sets and reads back unchanged, for any text', () => {
    fc.assert(
      fc.property(fc.array(anyMessage(20), { maxLength: 5 }), fc.nat(), (messages, leaseMs) => {
        const value = encodeInline(messages, leaseMs);
        expect(value).toMatch(PRINTABLE_ASCII);
        const headers = new Headers();
        headers.set(INLINE_HEADER, value);
        expect(headers.get(INLINE_HEADER)).toBe(value);
      }),
    );
  });

  it(`leaves out the messages that would take it past ${MAX_INLINE_HEADER_LENGTH} characters, and sets more`, () => {
    const messages = idsOf(200).map((id) => message(id, 'x'.repeat(100)));
    const value = encodeInline(messages, 5000);
    expect(value.length).toBeLessThanOrEqual(MAX_INLINE_HEADER_LENGTH);
    const decoded = decodeInline(value);
    expect(decoded?.more).toBe(true);
    const kept = decoded?.messages.length ?? 0;
    expect(kept).toBeGreaterThan(0);
    expect(decoded?.messages).toEqual(messages.slice(0, kept));
  });

  it('leaves out a message too long for the header alone, and sets more', () => {
    const long = message('long', 'é'.repeat(MAX_INLINE_HEADER_LENGTH));
    expect(decodeInline(encodeInline([long], 5000))).toEqual({
      messages: [],
      leaseMs: 5000,
      more: true,
    });
  });

  it('keeps the order: what follows a message left out is left out too', () => {
    const long = message('long', 'x'.repeat(MAX_INLINE_HEADER_LENGTH));
    const decoded = decodeInline(encodeInline([message('a'), long, message('b')], 5000));
    expect(decoded?.messages.map((m) => m.id)).toEqual(['a']);
    expect(decoded?.more).toBe(true);
  });

  it('stays within the limit, keeping a prefix of the messages, for any messages', () => {
    // Many messages of any length, so that lists end at every distance from the limit; each
    // text is runs of characters that escape to 1, 2, 6 and 12 characters (integers shrink fast).
    const run = fc.tuple(fc.constantFrom('a', '"', 'é', '😀', '\u0000'), fc.nat(120));
    const text = fc.array(run, { maxLength: 3 }).map((runs) => runs.map(([c, n]) => c.repeat(n)));
    const messages = fc.array(
      fc.tuple(fc.nat(), text).map(([n, runs]) => message(`m${n}`, runs.join(''))),
      { maxLength: 80, size: 'max' },
    );
    fc.assert(
      // Checked with booleans, not expect: a failure shrinks fast, with no diff at every step.
      fc.property(messages, fc.integer({ min: 1, max: 2 ** 31 }), (messages, leaseMs) => {
        const value = encodeInline(messages, leaseMs);
        const decoded = decodeInline(value);
        const kept = decoded?.messages.length ?? -1;
        return (
          value.length <= MAX_INLINE_HEADER_LENGTH &&
          isDeepStrictEqual(decoded, {
            messages: messages.slice(0, kept),
            leaseMs,
            more: kept < messages.length,
          })
        );
      }),
    );
  });
});

describe('decodeInline', () => {
  it('reads back what encodeInline wrote, for any messages with any text', () => {
    fc.assert(
      fc.property(fc.array(anyMessage(20), { maxLength: 5 }), fc.nat(), (messages, leaseMs) => {
        expect(decodeInline(encodeInline(messages, leaseMs))).toEqual({
          messages,
          leaseMs,
          more: false,
        });
      }),
    );
  });

  it('returns undefined for no header and for text that is not JSON', () => {
    for (const garbage of [undefined, null, '', 'nope', '{', '{"messages":[]', 'undefined']) {
      expect(decodeInline(garbage), String(garbage)).toBeUndefined();
    }
  });

  it('returns undefined for JSON that is not an inline delivery', () => {
    const wrong = [
      'null',
      '0',
      'true',
      '"text"',
      '[]',
      '{}',
      '{"messages":[],"leaseMs":5000}',
      '{"messages":[],"more":false}',
      '{"leaseMs":5000,"more":false}',
      '{"messages":{},"leaseMs":5000,"more":false}',
      '{"messages":[],"leaseMs":"5000","more":false}',
      '{"messages":[],"leaseMs":5000,"more":"false"}',
      '{"messages":null,"leaseMs":5000,"more":false}',
    ];
    for (const value of wrong) expect(decodeInline(value), value).toBeUndefined();
  });

  it('filters out the entries that are not messages', () => {
    const valid = message('a1');
    const entries = [
      null,
      1,
      'a1',
      [],
      {},
      { ...valid, id: '' },
      { ...valid, id: 7 },
      { ...valid, level: 20.5 },
      { ...valid, level: '20' },
      { ...valid, message: 3 },
      { ...valid, extraTags: null },
      { ...valid, levelTag: undefined },
      { id: 'no-tags', level: 25, message: 'x', extraTags: '', levelTag: 'success' },
      valid,
    ];
    const value = JSON.stringify({ messages: entries, leaseMs: 5000, more: true });
    expect(decodeInline(value)).toEqual({ messages: [valid], leaseMs: 5000, more: true });
  });

  it('keeps every message and drops every broken entry, in order, for any mix', () => {
    const fields = ['id', 'level', 'message', 'extraTags', 'levelTag', 'tags'] as const;
    // A message with one field missing or of the wrong type.
    const broken = fc
      .tuple(
        fc.constantFrom(...fields),
        fc.oneof(fc.constant(undefined), fc.constant(null), fc.boolean(), fc.object()),
      )
      .map(([field, value]) => ({ ...message('x'), [field]: value }));
    const entry = fc.oneof(
      anyMessage(10).map((m) => ({ valid: true, entry: m as unknown })),
      broken.map((b) => ({ valid: false, entry: b as unknown })),
      fc
        .jsonValue()
        .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
        .map((v) => ({ valid: false, entry: v as unknown })),
    );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 10 }), (mix) => {
        const value = JSON.stringify({
          messages: mix.map((m) => m.entry),
          leaseMs: 1,
          more: false,
        });
        const decoded = decodeInline(value);
        expect(decoded?.messages).toEqual(mix.filter((m) => m.valid).map((m) => m.entry));
        for (const kept of decoded?.messages ?? []) {
          expect(messageSchema.safeParse(kept).success).toBe(true);
        }
      }),
    );
  });

  it('never throws, whatever the header holds', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json()), (value) => {
        expect(() => decodeInline(value)).not.toThrow();
      }),
    );
  });
});
