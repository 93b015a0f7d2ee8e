export {
  type Catalog,
  type DefinedCatalog,
  defineCatalog,
  defineTranslations,
  formatText,
  type KeyOf,
  type ParamNames,
  type Params,
  type ParamValue,
  type Translation,
  type TranslationsOf,
  translator,
} from './catalog.js';
export { CLIENT_HEADER, INLINE_HEADER } from './delivery.js';
export {
  DEBUG,
  DEFAULT_LEVELS,
  ERROR,
  INFO,
  type LevelName,
  SUCCESS,
  WARNING,
} from './levels.js';
export {
  type Message,
  type MessageAction,
  messageListSchema,
  messageSchema,
  type StoredMessage,
  toMessage,
} from './message.js';
export {
  DEFAULT_TAGS,
  type DefaultTags,
  defineTags,
  isLevelOf,
  joinTags,
  type LevelOf,
  levelTag,
  type TagMap,
  type Tags,
} from './tags.js';
