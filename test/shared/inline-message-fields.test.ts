import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeInline, encodeInline } from '../../shared/delivery.js';
import { SUCCESS } from '../../shared/levels.js';
import { type Message, messageSchema } from '../../shared/message.js';

// The inline header is read on the client from a response it cannot vouch for: a message whose
// optional fields (key, translation, action) have the wrong shape is dropped whole.

/** A message as the server would send it, with `fields` over it. */
function message(fields: Record<string, unknown> = {}): Message {
  return {
    id: 'm1',
    level: SUCCESS,
    message: 'Saved.',
    extraTags: '',
    levelTag: 'success',
    tags: 'success',
    ...fields,
  } as Message;
}

const action = {
  label: 'Undo',
  path: 'tasks.restore',
  input: { id: 1 },
  expiresAt: 0,
  token: `0.${'A'.repeat(43)}`,
};
const translation = { key: 'task.saved', params: { title: 'Report', n: 2 } };

/** The messages of an inline header that carries `entries`, as the client reads it. */
function read(entries: readonly unknown[]): readonly unknown[] | undefined {
  return decodeInline(JSON.stringify({ messages: entries, leaseMs: 5000, more: false }))?.messages;
}

describe("the client's reading of an inline message's optional fields", () => {
  it('keeps a message with a well-formed key, translation and action, fields and all', () => {
    const full = message({ key: 'export', translation, action });
    expect(decodeInline(encodeInline([full], 5000))?.messages).toEqual([full]);
  });

  it('drops a message whose key, translation or action is malformed, keeping the others', () => {
    const malformed = [
      { key: '' },
      { key: 7 },
      { key: null },
      { translation: 'task.saved' },
      { translation: null },
      { translation: { key: '', params: {} } },
      { translation: { key: 'task.saved' } },
      { translation: { key: 'task.saved', params: [] } },
      { translation: { key: 'task.saved', params: { title: { nested: true } } } },
      { translation: { key: 'task.saved', params: { title: null } } },
      { action: 'tasks.restore' },
      { action: null },
      { action: [] },
      { action: { ...action, label: '' } },
      { action: { ...action, label: { toString: 'Undo' } } },
      { action: { ...action, path: 3 } },
      { action: { ...action, token: '' } },
      { action: { ...action, expiresAt: -1 } },
      { action: { ...action, expiresAt: 1.5 } },
      { action: { ...action, expiresAt: '0' } },
      { action: { label: 'Undo', path: 'tasks.restore', expiresAt: 0, token: 't' } },
    ];
    const kept = message({ id: 'kept', key: 'export', translation, action });
    const entries = [...malformed.map((fields, i) => message({ id: `bad-${i}`, ...fields })), kept];
    expect(read(entries)).toEqual([kept]);
  });

  it('takes exactly the messages the message schema accepts, for any mix of optional fields', () => {
    const anything = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue({ maxDepth: 2 }),
      fc.string({ maxLength: 4 }),
    );
    const anyKey = fc.oneof(fc.string({ maxLength: 4 }), anything);
    const anyParams = fc.oneof(
      fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.string(), fc.double(), anything), {
        maxKeys: 3,
      }),
      anything,
    );
    const anyTranslation = fc.oneof(
      fc.record({ key: anyKey, params: anyParams }, { requiredKeys: [] }),
      anything,
    );
    const anyAction = fc.oneof(
      fc.record(
        {
          label: anyKey,
          path: anyKey,
          input: fc.jsonValue({ maxDepth: 2 }),
          expiresAt: fc.oneof(fc.integer({ min: -2, max: 2 }), fc.maxSafeNat(), anything),
          token: anyKey,
        },
        { requiredKeys: [] },
      ),
      anything,
    );
    const entry = fc
      .record({ key: anyKey, translation: anyTranslation, action: anyAction }, { requiredKeys: [] })
      .map((fields) => message(fields));
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 6 }), (entries) => {
        // As JSON carries them: what is undefined is left out.
        const sent: unknown[] = JSON.parse(JSON.stringify(entries));
        const accepted = sent.filter((m) => messageSchema.safeParse(m).success);
        expect(read(sent)).toEqual(accepted);
      }),
      { numRuns: 500 },
    );
  });
});
