import { isParamValue, type Translation } from '../../shared/catalog.js';
import type { MessageAction } from '../../shared/message.js';

// What the parts of a stored message must be, checked alike where a message is added and where a
// codec reads one back: nothing is stored that could not be read, nor read that could not be added.

/** The longest `key` of a message, in characters. */
export const MAX_KEY_LENGTH = 128;

/** Whether `value` can be a message's key: a string of 1 to 128 characters. */
export function isMessageKey(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_KEY_LENGTH;
}

/** Whether `value` is a key and parameters as a message keeps them (strings, finite numbers). */
export function isTranslation(value: unknown): value is Translation {
  if (typeof value !== 'object' || value === null) return false;
  const { key, params } = value as Partial<Translation>;
  if (typeof key !== 'string' || key.length === 0) return false;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return false;
  return Object.values(params).every(isParamValue);
}

/** Whether `value` has the shape of an action made by the kit's `actions()`. */
export function isMessageAction(value: unknown): value is MessageAction {
  if (typeof value !== 'object' || value === null) return false;
  const { label, path, token, expiresAt, translation } = value as Partial<MessageAction>;
  return (
    typeof label === 'string' &&
    label.length > 0 &&
    typeof path === 'string' &&
    path.length > 0 &&
    typeof token === 'string' &&
    token.length > 0 &&
    Number.isSafeInteger(expiresAt) &&
    (expiresAt as number) >= 0 &&
    (translation === undefined || isTranslation(translation))
  );
}
