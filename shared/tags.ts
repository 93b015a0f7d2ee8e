import { DEBUG, ERROR, INFO, SUCCESS, WARNING } from './levels.js';

/** Maps a level to its tag, the class name a message of that level carries. */
export type TagMap = { readonly [level: number]: string };

/** The built-in tags (Django's DEFAULT_TAGS). */
export const DEFAULT_TAGS = {
  [DEBUG]: 'debug',
  [INFO]: 'info',
  [SUCCESS]: 'success',
  [WARNING]: 'warning',
  [ERROR]: 'error',
} as const;

/** The built-in tag map. */
export type DefaultTags = typeof DEFAULT_TAGS;

/** The tag map `Custom` gives when laid over the defaults: its entries win. */
export type Tags<Custom extends TagMap = Record<never, string>> = Omit<DefaultTags, keyof Custom> &
  Custom;

/** A level that `Map` knows, as a literal type (10 | 20 | 25 | 30 | 40 for the defaults). */
export type LevelOf<Map extends TagMap> = keyof Map & number;

/**
 * Builds an app's tag map: the defaults, with `custom` adding levels, renaming tags or blanking
 * them (''). The result's type keeps every level as a literal, so `add(level)` checks custom levels.
 */
export function defineTags<const Custom extends TagMap>(custom: Custom): Tags<Custom> {
  for (const [level, tag] of Object.entries(custom)) {
    const value = Number(level);
    if (!Number.isInteger(value) || String(value) !== level) {
      throw new TypeError(`trpc-messages: tag map keys must be integer levels, got "${level}"`);
    }
    if (typeof tag !== 'string') {
      throw new TypeError(`trpc-messages: the tag of level ${level} must be a string`);
    }
  }
  return { ...DEFAULT_TAGS, ...custom };
}

/**
 * Whether `level` is one of the levels `tags` knows: narrows a level that comes from data (a
 * `z.number()` input, a database row) for `messages.add`, with no cast.
 */
export function isLevelOf<Map extends TagMap>(tags: Map, level: unknown): level is LevelOf<Map> {
  return typeof level === 'number' && Number.isSafeInteger(level) && Object.hasOwn(tags, level);
}

/** The tag of `level` in `tags`, or '' for a level the map does not know (as Django does). */
export function levelTag(level: number, tags: TagMap = DEFAULT_TAGS): string {
  return Object.hasOwn(tags, level) ? (tags[level] ?? '') : '';
}

/** Django's `message.tags`: the extra tags, then the level tag, joined by a space, empty parts left out. */
export function joinTags(extraTags: string, tagOfLevel: string): string {
  if (!extraTags) return tagOfLevel;
  if (!tagOfLevel) return extraTags;
  return `${extraTags} ${tagOfLevel}`;
}
