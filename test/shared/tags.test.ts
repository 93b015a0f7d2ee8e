import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  DEBUG,
  DEFAULT_LEVELS,
  DEFAULT_TAGS,
  defineTags,
  ERROR,
  INFO,
  isLevelOf,
  joinTags,
  type LevelOf,
  levelTag,
  SUCCESS,
  WARNING,
} from '../../shared/index.js';

describe('levels', () => {
  it("has Django's values and name map", () => {
    expect([DEBUG, INFO, SUCCESS, WARNING, ERROR]).toEqual([10, 20, 25, 30, 40]);
    expect(DEFAULT_LEVELS).toEqual({ DEBUG: 10, INFO: 20, SUCCESS: 25, WARNING: 30, ERROR: 40 });
    expectTypeOf(DEFAULT_LEVELS.SUCCESS).toEqualTypeOf<25>();
  });
});

describe('levelTag', () => {
  it("gives each built-in level Django's tag", () => {
    expect([DEBUG, INFO, SUCCESS, WARNING, ERROR].map((l) => levelTag(l))).toEqual([
      'debug',
      'info',
      'success',
      'warning',
      'error',
    ]);
  });

  it('gives an empty tag to a level the map does not know', () => {
    expect(levelTag(35)).toBe('');
    expect(levelTag(-1)).toBe('');
  });

  it('does not read inherited properties as tags', () => {
    expect(levelTag(Number.NaN, Object.create({ NaN: 'inherited' }))).toBe('');
  });
});

describe('joinTags', () => {
  it('puts extra tags before the level tag and leaves out empty parts', () => {
    expect(joinTags('some tags', 'success')).toBe('some tags success');
    expect(joinTags('', 'success')).toBe('success');
    expect(joinTags('extra', '')).toBe('extra');
    expect(joinTags('', '')).toBe('');
  });
});

describe('defineTags', () => {
  it('adds custom levels, renames and blanks tags, and keeps the other defaults', () => {
    const tags = defineTags({ 35: 'notice', [ERROR]: 'danger', [DEBUG]: '' });
    expect(levelTag(35, tags)).toBe('notice');
    expect(levelTag(ERROR, tags)).toBe('danger');
    expect(levelTag(DEBUG, tags)).toBe('');
    expect(levelTag(SUCCESS, tags)).toBe('success');
    expect(DEFAULT_TAGS[ERROR]).toBe('error');
  });

  it('types the levels it knows as literals, custom ones included', () => {
    const tags = defineTags({ 35: 'notice' });
    expectTypeOf<LevelOf<typeof tags>>().toEqualTypeOf<10 | 20 | 25 | 30 | 35 | 40>();
    expectTypeOf(tags[35]).toEqualTypeOf<'notice'>();
    expectTypeOf(tags[ERROR]).toEqualTypeOf<'error'>();
  });

  it('rejects keys that are not integer levels', () => {
    expect(() => defineTags({ 1.5: 'half' })).toThrow(TypeError);
    expect(() => defineTags({ 1.5: 'half' })).toThrow(/"1.5"/);
  });

  it('rejects tags that are not strings', () => {
    expect(() => defineTags({ 35: 7 } as unknown as { 35: string })).toThrow(TypeError);
  });
});

describe('isLevelOf', () => {
  const tags = defineTags({ 35: 'notice' });

  it('says whether a value is a level the tag map knows', () => {
    for (const level of [DEBUG, INFO, SUCCESS, WARNING, ERROR, 35]) {
      expect(isLevelOf(tags, level), String(level)).toBe(true);
    }
    for (const value of [36, 0, -10, 25.5, Number.NaN, '25', null, undefined, 2 ** 60]) {
      expect(isLevelOf(tags, value), String(value)).toBe(false);
    }
    expect(isLevelOf(DEFAULT_TAGS, 35)).toBe(false);
  });

  it('narrows a number from data to the levels add() accepts, with no cast', () => {
    const fromData: number = 35;
    // @ts-expect-error: a plain number is not one of the app's levels
    const unchecked: LevelOf<typeof tags> = fromData;
    expect(unchecked).toBe(35);
    if (isLevelOf(tags, fromData)) {
      expectTypeOf(fromData).toEqualTypeOf<LevelOf<typeof tags>>();
    } else {
      throw new Error('35 is a level of the app');
    }
  });
});
