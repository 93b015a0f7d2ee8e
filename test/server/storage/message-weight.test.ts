import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_MESSAGE_BYTES,
  messageWeight,
  type WeighedMessage,
  weighsAtMost,
} from '../../../server/storage/message-weight.js';

const plain = (message: string, extraTags = ''): WeighedMessage => ({ message, extraTags });

/** Messages of every shape: a text, a key and parameters, an action with any JSON input. */
const messages: fc.Arbitrary<WeighedMessage> = fc.record(
  {
    message: fc.string({ unit: 'binary', maxLength: 60 }),
    extraTags: fc.string({ maxLength: 20 }),
    key: fc.string({ minLength: 1, maxLength: 20 }),
    translation: fc.record({
      key: fc.string({ minLength: 1, maxLength: 20 }),
      params: fc.dictionary(
        fc.string({ maxLength: 8 }),
        fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.integer()),
      ),
    }),
    action: fc.record({
      label: fc.string({ minLength: 1, maxLength: 10 }),
      path: fc.constant('tasks.restore'),
      input: fc.jsonValue({ maxDepth: 3 }).map((json) => json as never),
      expiresAt: fc.nat(),
      token: fc.string({ minLength: 1, maxLength: 50 }),
    }),
  },
  { requiredKeys: ['message', 'extraTags'] },
);

describe('messageWeight', () => {
  it('weighs a plain message by the UTF-8 bytes of its text, extra tags and key', () => {
    expect(messageWeight(plain('Saved.'))).toBe(6);
    expect(messageWeight(plain('Tâche 📝', 'done'))).toBe(Buffer.byteLength('Tâche 📝') + 4);
    expect(messageWeight({ ...plain('Export 40%…'), key: 'export' })).toBe(13 + 6);
  });

  it('weighs each value of the parameters and input 8 more than its text, each object or array 32', () => {
    // 'task.created' 12, the object 32, the property 8 + 'title' 5, its value 8 + 'Docs' 4.
    expect(
      messageWeight({
        message: '',
        extraTags: '',
        translation: { key: 'task.created', params: { title: 'Docs' } },
      }),
    ).toBe(12 + 32 + 8 + 5 + 8 + 4);
    // 'Undo' 4, 'tasks.restore' 13, the token 3; the input: the array 32, its values 8 each.
    expect(
      messageWeight({
        message: 'Deleted.',
        extraTags: '',
        action: {
          label: 'Undo',
          path: 'tasks.restore',
          input: [1, {}, null],
          expiresAt: 0,
          token: 'a.b',
        },
      }),
    ).toBe(8 + 4 + 13 + 3 + 32 + 8 + 32 + 8);
  });

  it('stops counting past most, and says only that it is more', () => {
    fc.assert(
      fc.property(messages, fc.nat({ max: 400 }), (message, most) => {
        const whole = messageWeight(message);
        const counted = messageWeight(message, most);
        if (whole <= most) expect(counted).toBe(whole);
        else expect(counted).toBeGreaterThan(most);
      }),
    );
  });

  it('stops at once on a text far over the limit, or an input that holds itself', () => {
    expect(messageWeight(plain('x'.repeat(10_000_000)), MAX_MESSAGE_BYTES)).toBeGreaterThan(
      MAX_MESSAGE_BYTES,
    );
    const loop: unknown[] = [];
    loop.push(loop);
    const action = { label: 'Undo', path: 'a', input: loop as never, expiresAt: 0, token: 't' };
    expect(messageWeight({ ...plain('x'), action }, 8192)).toBeGreaterThan(8192);
  });
});

describe('weighsAtMost', () => {
  it('agrees with messageWeight, short plain texts included', () => {
    fc.assert(
      fc.property(messages, fc.nat({ max: 400 }), (message, most) => {
        expect(weighsAtMost(message, most)).toBe(messageWeight(message) <= most);
      }),
    );
  });
});
