import { describe, expect, it } from 'vitest';
import { parseMessages } from '../../client/index.js';

const valid = {
  id: 'a',
  level: 25,
  message: 'Saved.',
  extraTags: '',
  levelTag: 'success',
  tags: 'success',
};

describe('parseMessages', () => {
  it('returns a valid list of messages as it is', () => {
    expect(parseMessages([valid])).toEqual([valid]);
  });

  it('rejects anything else with a TypeError naming the first problem', () => {
    expect(() => parseMessages({})).toThrow(TypeError);
    expect(() => parseMessages([{ ...valid, level: 'x' }])).toThrow(/0\.level/);
    expect(() => parseMessages([valid, { ...valid, id: undefined }])).toThrow(/1\.id/);
  });
});
