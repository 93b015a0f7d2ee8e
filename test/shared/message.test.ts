import { describe, expect, it } from 'vitest';
import { defineTags, messageSchema, SUCCESS, toMessage } from '../../shared/index.js';

describe('toMessage', () => {
  it('computes levelTag and tags from the tag map in force', () => {
    const stored = { id: 'a1', level: SUCCESS, message: 'Saved.', extraTags: 'task' };
    expect(toMessage(stored)).toEqual({ ...stored, levelTag: 'success', tags: 'task success' });
    expect(toMessage(stored, defineTags({ [SUCCESS]: 'ok' })).tags).toBe('task ok');
  });

  it('produces what the wire schema accepts', () => {
    const message = toMessage({ id: 'a1', level: 35, message: 'Hi', extraTags: '' });
    expect(messageSchema.parse(message)).toEqual(message);
  });
});

describe('messageSchema', () => {
  it('rejects a message without an id or with a fractional level', () => {
    const valid = {
      id: 'a',
      level: 20,
      message: 'x',
      extraTags: '',
      levelTag: 'info',
      tags: 'info',
    };
    expect(messageSchema.safeParse(valid).success).toBe(true);
    expect(messageSchema.safeParse({ ...valid, id: '' }).success).toBe(false);
    expect(messageSchema.safeParse({ ...valid, level: 20.5 }).success).toBe(false);
    expect(messageSchema.safeParse({ ...valid, message: 3 }).success).toBe(false);
  });
});
