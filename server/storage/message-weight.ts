import type { Translation } from '../../shared/catalog.js';
import type { StoredMessage } from '../../shared/message.js';
import { utf8Length } from '../encoding/utf8.js';

/** The heaviest message the kit handles: the largest `maxMessageBytes`, and what codecs read. */
export const MAX_MESSAGE_BYTES = 1_048_576;

// What a value of a message's parameters or action input weighs beyond its strings' bytes: a
// string, number, boolean or null, or an object's property (8), an object or array (32). Roughly
// what V8 holds for them: a primitive in an array takes 8 bytes, a property of an object about
// 50 with its value, an empty object 64, so that a store that counts a message as twice its
// weight (as it counts text) holds no more than about that in memory, whatever its shape.
const VALUE_BYTES = 8;
const CONTAINER_BYTES = 32;

/** The parts of a message that have weight: all but its id and level. */
export type WeighedMessage = Pick<
  StoredMessage,
  'message' | 'extraTags' | 'key' | 'translation' | 'action'
>;

/**
 * What a message weighs, in bytes: the UTF-8 bytes of its strings (its text, extra tags and key;
 * its catalog key and parameters; its action's label, path, token and input, and its label's key
 * and parameters), plus 8 for each value and property in the parameters and the input and 32 for
 * each object or array there. The one measure of a message's size: `maxMessageBytes` bounds it,
 * the memory store counts it against `maxBytes`, and the codecs read nothing heavier than
 * `MAX_MESSAGE_BYTES`. Past `most`, it stops counting: the answer is then only known to be more.
 */
export function messageWeight(message: WeighedMessage, most = Number.POSITIVE_INFINITY): number {
  const { key, translation, action, extraTags } = message;
  let weight = utf8Length(message.message, most);
  // Most messages have no extra tags: no call for them.
  if (extraTags !== '') weight += utf8Length(extraTags, most);
  if (key !== undefined) weight += utf8Length(key, most);
  if (translation !== undefined && weight <= most) {
    weight += translationWeight(translation, most - weight);
  }
  if (action !== undefined && weight <= most) {
    weight +=
      utf8Length(action.label, most) +
      utf8Length(action.path, most) +
      utf8Length(action.token, most);
    if (action.translation !== undefined) {
      weight += translationWeight(action.translation, most - weight);
    }
    weight += jsonWeight(action.input, most - weight);
  }
  return weight;
}

/** Whether `message` weighs at most `most` bytes; a short plain text is not even counted. */
export function weighsAtMost(message: WeighedMessage, most: number): boolean {
  const { key, translation, action } = message;
  // A UTF-16 unit takes at most 3 bytes of UTF-8.
  const plain = key === undefined && translation === undefined && action === undefined;
  if (plain && (message.message.length + message.extraTags.length) * 3 <= most) return true;
  return messageWeight(message, most) <= most;
}

function translationWeight(translation: Translation, most: number): number {
  return utf8Length(translation.key, most) + jsonWeight(translation.params, most);
}

/** What a JSON value weighs (see `messageWeight`); past `most`, only known to be more. */
function jsonWeight(value: unknown, most: number): number {
  if (typeof value === 'string') return VALUE_BYTES + utf8Length(value, most);
  if (typeof value !== 'object' || value === null) return VALUE_BYTES;
  let weight = CONTAINER_BYTES;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && weight <= most; i += 1) {
      weight += jsonWeight(value[i], most - weight);
    }
    return weight;
  }
  for (const name of Object.keys(value)) {
    if (weight > most) break;
    weight +=
      VALUE_BYTES +
      utf8Length(name, most) +
      jsonWeight((value as Record<string, unknown>)[name], most - weight);
  }
  return weight;
}
