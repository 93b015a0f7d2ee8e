import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeMessages,
  encodeMessages,
  encodeMessagesAsJson,
} from '../../../server/storage/message-codec.js';
import { MAX_MESSAGE_BYTES } from '../../../server/storage/message-weight.js';
import type { StoredMessage } from '../../../shared/message.js';

const saved: StoredMessage = { id: 'a1', level: 25, message: 'Task saved.', extraTags: '' };
const tagged: StoredMessage = { id: 'a2', level: 40, message: 'Failed.', extraTags: 'sticky' };

const storedMessage: fc.Arbitrary<StoredMessage> = fc.record({
  id: fc.string({ minLength: 1 }),
  level: fc.integer(),
  message: fc.string({ unit: 'binary' }),
  extraTags: fc.string({ unit: 'binary' }),
});

const json = fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as JsonValue);
type JsonValue = NonNullable<StoredMessage['action']>['input'];

/** A message with any of a key, a translation and an action. */
const richMessage: fc.Arbitrary<StoredMessage> = fc.record(
  {
    id: fc.string({ minLength: 1 }),
    level: fc.integer(),
    message: fc.string({ unit: 'binary' }),
    extraTags: fc.string({ unit: 'binary' }),
    key: fc.string({ minLength: 1 }),
    translation: fc.record({
      key: fc.string({ minLength: 1 }),
      params: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())),
    }),
    action: fc.record(
      {
        label: fc.string({ minLength: 1 }),
        path: fc.string({ minLength: 1 }),
        input: json,
        expiresAt: fc.nat(),
        token: fc.string({ minLength: 1 }),
        translation: fc.record({
          key: fc.string({ minLength: 1 }),
          params: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())),
        }),
      },
      { requiredKeys: ['label', 'path', 'input', 'expiresAt', 'token'] },
    ),
  },
  { requiredKeys: ['id', 'level', 'message', 'extraTags'] },
);

describe('encodeMessages', () => {
  it('writes compact tuples of lengths, leaving out empty extra tags, then the strings', () => {
    expect(encodeMessages([saved, tagged])).toBe(
      '[[2,25,11],[2,40,7,6]]\na1Task saved.a2Failed.sticky',
    );
  });

  it('appends 0 as the "not finished" marker', () => {
    expect(encodeMessages([saved], true)).toBe('[[2,25,11],0]\na1Task saved.');
    expect(encodeMessages([], true)).toBe('[0]\n');
    expect(encodeMessages([])).toBe('[]\n');
  });

  it('writes the strings as they are, with nothing escaped', () => {
    const awkward = 'He said "stop" \\ then\nleft\u0000 🐟';
    const encoded = encodeMessages([{ ...saved, message: awkward }]);
    expect(encoded.endsWith(`a1${awkward}`)).toBe(true);
    expect(decodeMessages(encoded)?.messages).toEqual([{ ...saved, message: awkward }]);
  });

  it('writes text with a lone surrogate as plain JSON, which keeps it', () => {
    const broken = { ...saved, message: 'half \ud83d of a fish' };
    const encoded = encodeMessages([broken]);
    expect(encoded).toBe('[["a1",25,"half \\ud83d of a fish"]]');
    expect(decodeMessages(encoded)?.messages).toEqual([broken]);
  });
});

describe('encodeMessagesAsJson', () => {
  it('writes the same tuples as plain JSON, the id first, as the Redis script reads it', () => {
    expect(encodeMessagesAsJson([saved, tagged], true)).toBe(
      '[["a1",25,"Task saved."],["a2",40,"Failed.","sticky"],0]',
    );
    expect(decodeMessages(encodeMessagesAsJson([saved, tagged], true))).toEqual({
      messages: [saved, tagged],
      notFinished: true,
    });
  });
});

describe('decodeMessages', () => {
  it('reads back what encodeMessages wrote', () => {
    expect(decodeMessages(encodeMessages([saved, tagged]))).toEqual({
      messages: [saved, tagged],
      notFinished: false,
    });
  });

  it('reads the "not finished" marker', () => {
    expect(decodeMessages(encodeMessages([saved], true))).toEqual({
      messages: [saved],
      notFinished: true,
    });
    expect(decodeMessages('[0]')).toEqual({ messages: [], notFinished: true });
  });

  it('round-trips any messages and marker', () => {
    fc.assert(
      fc.property(fc.array(storedMessage), fc.boolean(), (messages, notFinished) => {
        expect(decodeMessages(encodeMessages(messages, notFinished))).toEqual({
          messages,
          notFinished,
        });
      }),
    );
  });

  it('round-trips keys, translations and actions, with and without leases', () => {
    fc.assert(
      fc.property(
        fc.array(richMessage),
        fc.boolean(),
        fc.boolean(),
        (messages, notFinished, leased) => {
          const leases = leased
            ? new Map(messages.map((m) => [m.id, { holder: 'tab-0001', until: 1_700_000_000_000 }]))
            : undefined;
          const decoded = decodeMessages(encodeMessages(messages, notFinished, leases));
          expect(decoded?.messages).toEqual(messages);
          expect(decoded?.notFinished).toBe(notFinished);
          expect(decoded?.leases).toEqual(leased && messages.length > 0 ? leases : undefined);
        },
      ),
    );
  });

  it('writes the extras as one last object, after the lease if any', () => {
    const keyed: StoredMessage = { ...saved, key: 'export' };
    expect(encodeMessages([keyed])).toBe('[[2,25,11,0,14]]\na1Task saved.{"k":"export"}');
    expect(
      encodeMessages([keyed], false, new Map([['a1', { holder: 'tab-0001', until: 5 }]])),
    ).toBe('[[2,25,11,0,8,5,14]]\na1Task saved.tab-0001{"k":"export"}');
  });

  it('reads the plain JSON form, as values written before the strings were set apart', () => {
    expect(decodeMessages('[["a1",25,"Task saved."],["a2",40,"Failed.","sticky"],0]')).toEqual({
      messages: [saved, tagged],
      notFinished: true,
    });
    expect(
      decodeMessages('[["a1",25,"Task saved.","","tab-0001",5,{"k":"export"}]]')?.messages,
    ).toEqual([{ ...saved, key: 'export' }]);
  });

  it('returns undefined when the lengths do not fit the strings', () => {
    const wrong = [
      '[[2,25,12]]\na1Task saved.',
      '[[2,25,10]]\na1Task saved.',
      '[[2,25,-1]]\na1',
      '[[2,25,1.5]]\na1x',
      '[["a1",25,11]]\na1Task saved.',
      '[[2,25,"11"]]\na1Task saved.',
      '[[2,25,11,0,2]]\na1Task saved.{}',
      '[[2,25,11,0,3]]\na1Task saved.{"k',
      '[[2,25,1,0,0]]\na1x',
      '[[2,25]]\na1',
      '[[2,25,1,1,1,1,1,1]]\na1xyzw',
      '{"a":1}\n',
      '[[2,25,1]\na1x',
    ];
    for (const text of wrong) expect(decodeMessages(text), text).toBeUndefined();
  });

  it('returns undefined for any encoding cut short or run on', () => {
    fc.assert(
      fc.property(
        fc.array(storedMessage, { minLength: 1 }),
        fc.string({ minLength: 1 }),
        (messages, more) => {
          const encoded = encodeMessages(messages);
          fc.pre(encoded.includes('\n'));
          expect(decodeMessages(encoded + more)).toBeUndefined();
          expect(decodeMessages(encoded.slice(0, -1))).toBeUndefined();
        },
      ),
    );
  });

  it('returns undefined for malformed extras', () => {
    const wrong = [
      '[["a1",25,"x","",{}]]',
      '[["a1",25,"x","",{"z":1}]]',
      '[["a1",25,"x","",{"k":""}]]',
      '[["a1",25,"x","",{"k":5}]]',
      `[["a1",25,"x","",{"k":"${'k'.repeat(129)}"}]]`,
      '[["a1",25,"x","",{"a":["","p",1,0,"t"]}]]',
      '[["a1",25,"x","",{"t":["k"]}]]',
      '[["a1",25,"x","",{"t":["k",{"p":true}]}]]',
      '[["a1",25,"x","",{"t":["",{}]}]]',
      '[["a1",25,"x","",{"a":["Undo","p",1,0]}]]',
      '[["a1",25,"x","",{"a":["Undo","p",1,-1,"t"]}]]',
      '[["a1",25,"x","",{"a":[1,"p",1,0,"t"]}]]',
      '[["a1",25,"x","",[]]]',
      '[["a1",25,"x","","h",5,"not extras"]]',
    ];
    for (const text of wrong) expect(decodeMessages(text), text).toBeUndefined();
  });

  it('returns undefined for a message heavier than any the kit adds (1 MiB), in either form', () => {
    const heavy = (bytes: number): StoredMessage => ({ ...saved, message: 'x'.repeat(bytes) });
    const params = { title: 'x'.repeat(MAX_MESSAGE_BYTES) };
    const byKey: StoredMessage = { ...saved, message: '', translation: { key: 't', params } };
    for (const encode of [encodeMessages, encodeMessagesAsJson]) {
      expect(decodeMessages(encode([heavy(MAX_MESSAGE_BYTES)]))?.messages).toHaveLength(1);
      expect(decodeMessages(encode([heavy(MAX_MESSAGE_BYTES + 1)]))).toBeUndefined();
      expect(decodeMessages(encode([byKey]))).toBeUndefined();
    }
  });

  it('returns undefined for text that is not JSON', () => {
    for (const garbage of ['', 'nope', '[', '[["a",20,"x"]', '\u0000', 'undefined', '{]']) {
      expect(decodeMessages(garbage), garbage).toBeUndefined();
    }
  });

  it('returns undefined for JSON of the wrong shape', () => {
    const wrong = [
      'null',
      '0',
      '"text"',
      '{}',
      '{"messages":[]}',
      '[null]',
      '[1]',
      '[[]]',
      '[["a1"]]',
      '[["a1",25]]',
      '[["",25,"empty id"]]',
      '[[1,25,"numeric id"]]',
      '[["a1","25","string level"]]',
      '[["a1",25.5,"fractional level"]]',
      '[["a1",null,"null level"]]',
      '[["a1",25,7]]',
      '[["a1",25,null]]',
      '[["a1",25,"x",7]]',
      '[["a1",25,"x",null]]',
      '[["a1",25,"x","tags","one too many"]]',
      '[{"id":"a1","level":25,"message":"x"}]',
      '[["a1",25,"x"],1]',
      '[["a1",25,"x"],false]',
      '[["a1",25,"x"],"0"]',
      '[["a1",1e400,"x"]]',
    ];
    for (const json of wrong) expect(decodeMessages(json), json).toBeUndefined();
  });

  it('returns undefined when the marker is not last', () => {
    expect(decodeMessages('[0,["a1",25,"x"]]')).toBeUndefined();
    expect(decodeMessages('[["a1",25,"x"],0,["a2",25,"y"]]')).toBeUndefined();
    expect(decodeMessages('[0,0]')).toBeUndefined();
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json()), (input) => {
        expect(() => decodeMessages(input)).not.toThrow();
      }),
    );
  });

  it('returns undefined for any JSON value that is not a list of entries', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const decoded = decodeMessages(JSON.stringify(value));
        if (decoded !== undefined) {
          // Only arrays of well-formed entries (and a trailing 0) may decode, to what they say.
          expect(Array.isArray(value)).toBe(true);
          const entries = (value as unknown[]).filter((entry) => entry !== 0);
          expect(decoded.messages).toEqual(
            entries.map((entry) => {
              const [id, level, message, extraTags = ''] = entry as unknown[];
              return { id, level, message, extraTags };
            }),
          );
        }
      }),
    );
  });
});
