import type { ParamValue } from '../../shared/catalog.js';
import type { StoredMessage } from '../../shared/message.js';
import { utf8Length, utf8Prefix } from '../encoding/utf8.js';
import { messageWeight, weighsAtMost } from '../storage/message-weight.js';
import { MessageInputError } from './message-input-error.js';

const ELLIPSIS = '…';
const ELLIPSIS_BYTES = 3;

/**
 * `message` made to weigh at most `most` bytes (see `messageWeight`), or undefined when it cannot
 * be. What can be shortened is: its text, or the parameters of a message given by key that are
 * strings, longest first, each cut between code points and ending with an ellipsis. Its action is
 * left out when it cannot fit even beside the shortest text. Each change is told to `report`.
 */
export function fitMessage(
  message: StoredMessage,
  most: number,
  report: (error: MessageInputError) => void,
): StoredMessage | undefined {
  if (weighsAtMost(message, most)) return message;
  const weight = messageWeight(message);
  const { translation, action } = message;
  const params: Record<string, ParamValue> = { ...translation?.params };
  // What can be shortened: the text, or the parameters that are strings.
  const names = translation
    ? Object.keys(params).filter((name) => typeof params[name] === 'string')
    : [];
  const strings = translation ? names.map((name) => params[name] as string) : [message.message];
  const lengths = strings.map((text) => utf8Length(text, most + 1));
  for (const name of names) params[name] = '';
  // The rest of the message: what cannot be shortened.
  const rest = messageWeight(
    {
      message: '',
      extraTags: message.extraTags,
      key: message.key,
      translation: translation && { key: translation.key, params },
    },
    most + 1,
  );
  const shortest = lengths.reduce((sum, length) => sum + Math.min(length, ELLIPSIS_BYTES), 0);
  let budget = most - rest - shortest;
  const actionWeight = action ? messageWeight({ message: '', extraTags: '', action }, most + 1) : 0;
  const kept: { -readonly [K in keyof StoredMessage]: StoredMessage[K] } = { ...message };
  if (action && actionWeight > budget) {
    delete kept.action;
    report(
      new MessageInputError(
        'size',
        'action-dropped',
        `a message's action weighs ${bytes(actionWeight, most)}, too many to fit ` +
          `maxMessageBytes (${most}) with the message`,
        'give the action a smaller input, or raise maxMessageBytes',
      ),
    );
  } else budget -= actionWeight;
  if (budget < 0) {
    report(
      new MessageInputError(
        'size',
        'dropped',
        `a message's extra tags, key and parameter names alone weigh ${bytes(rest, most)}, ` +
          `over maxMessageBytes (${most})`,
        'shorten them, or raise maxMessageBytes',
      ),
    );
    return undefined;
  }
  // What the strings may take in all: what the rest leaves.
  const room = budget + shortest;
  if (lengths.reduce((sum, length) => sum + length, 0) <= room) return kept;
  const widest = widestFitting(lengths, room);
  const shortened = strings.map((text, i) =>
    (lengths[i] as number) > widest ? truncate(text, widest) : text,
  );
  if (translation) {
    names.forEach((name, i) => {
      params[name] = shortened[i] as string;
    });
    kept.translation = { key: translation.key, params };
  } else {
    kept.message = shortened[0] as string;
  }
  report(
    new MessageInputError(
      'size',
      'truncated',
      `a message weighs ${weight} bytes, over maxMessageBytes (${most})` +
        (translation ? ': its longest parameters were cut' : ''),
      'shorten it, or raise maxMessageBytes',
    ),
  );
  return kept;
}

/** `weight` in words, which past `most` is only known to be more (see `messageWeight`). */
function bytes(weight: number, most: number): string {
  return weight > most ? `more than ${most} bytes` : `${weight} bytes`;
}

/**
 * The most bytes each string may keep so that all of them take at most `room`, the longest cut
 * to that many (never fewer than the ellipsis): the longest are cut first, to equal lengths.
 */
function widestFitting(lengths: readonly number[], room: number): number {
  const taken = (widest: number) =>
    lengths.reduce((sum, length) => sum + Math.min(length, widest), 0);
  let low = ELLIPSIS_BYTES;
  let high = Math.max(...lengths);
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (taken(middle) <= room) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** `text` cut between code points to at most `bytes` bytes of UTF-8, the ellipsis included. */
function truncate(text: string, bytes: number): string {
  const cut = text.slice(0, utf8Prefix(text, bytes - ELLIPSIS_BYTES)) + ELLIPSIS;
  // A copy, not a slice: V8 keeps the whole of a string alive for a slice taken from it.
  return JSON.parse(JSON.stringify(cut)) as string;
}
