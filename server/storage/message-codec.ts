import type { Translation } from '../../shared/catalog.js';
import type { MessageAction, StoredMessage } from '../../shared/message.js';
import { isMessageAction, isMessageKey, isTranslation } from './message-rules.js';
import type { HeldLease } from './message-store.js';
import { MAX_MESSAGE_BYTES, weighsAtMost } from './message-weight.js';

// Compact form: [id, level, text], [id, level, text, extraTags], or, for a leased message (in the
// cookie), [id, level, text, extraTags, holder, until in ms since the epoch]; a message with a
// key, a translation or an action has one more element, last: an object of those (`Extras`). A
// trailing 0 is Django's "not finished" marker (more messages were meant for this place than it
// holds).
//
// Written with its strings set apart: the list as JSON with the length of each string in its
// place (the extras object as the string of its JSON), a newline, then the strings one after
// the other. So writing is concatenation, with nothing to escape: V8 11's JSON.stringify (Node
// 20) takes about 80 ns per string, more than the rest of the cookie's work for a message, and
// checking a string for what JSON escapes costs as much in JavaScript. Reading parses a JSON of
// numbers and slices. Text that is not well-formed UTF-16 (a lone surrogate), which UTF-8 would
// not keep, is written as plain JSON, which escapes it; so is each element of a Redis list
// (`encodeMessagesAsJson`), whose script reads the id. Reading takes both forms (plain JSON holds
// no raw newline).
const NOT_FINISHED = 0;

/** The rarer parts of a message, in short names: its key, translation and action. */
interface Extras {
  readonly k?: string;
  readonly t?: readonly [key: string, params: Translation['params']];
  readonly a?: readonly [
    label: string,
    path: string,
    input: unknown,
    expiresAt: number,
    token: string,
    // The label's key and parameters, when it was given by key.
    translation?: readonly [key: string, params: Translation['params']],
  ];
}

/** Messages as a backend reads them back, with Django's "not finished" flag and their leases. */
export interface DecodedMessages {
  readonly messages: StoredMessage[];
  readonly notFinished: boolean;
  /** The leases of leased messages, by id; undefined when none is leased. */
  readonly leases?: ReadonlyMap<string, HeldLease> | undefined;
}

/** Encodes messages in the compact form, with the "not finished" marker when asked, and leases. */
export function encodeMessages(
  messages: readonly StoredMessage[],
  notFinished = false,
  leases?: ReadonlyMap<string, HeldLease>,
): string {
  let lengths = '[';
  let strings = '';
  for (let index = 0; index < messages.length; index += 1) {
    const m = messages[index] as StoredMessage;
    const lease = leases?.get(m.id);
    const extras = m.key || m.translation || m.action ? JSON.stringify(encodeExtras(m)) : undefined;
    lengths += `${index > 0 ? ',' : ''}[${m.id.length},${m.level},${m.message.length}`;
    strings += m.id + m.message;
    if (lease || extras !== undefined || m.extraTags) {
      lengths += `,${m.extraTags.length}`;
      strings += m.extraTags;
    }
    if (lease) {
      lengths += `,${lease.holder.length},${lease.until}`;
      strings += lease.holder;
    }
    if (extras !== undefined) {
      lengths += `,${extras.length}`;
      strings += extras;
    }
    lengths += ']';
  }
  if (notFinished) lengths += messages.length > 0 ? `,${NOT_FINISHED}` : `${NOT_FINISHED}`;
  lengths += ']';
  return isWellFormed(strings)
    ? `${lengths}\n${strings}`
    : encodeMessagesAsJson(messages, notFinished, leases);
}

/** Encodes messages in the compact form as plain JSON: `[["<id>",…],…]`. */
export function encodeMessagesAsJson(
  messages: readonly StoredMessage[],
  notFinished = false,
  leases?: ReadonlyMap<string, HeldLease>,
): string {
  const entries: unknown[] = messages.map((m) => {
    const lease = leases?.get(m.id);
    const extras = m.key || m.translation || m.action ? [encodeExtras(m)] : [];
    if (lease) {
      return [m.id, m.level, m.message, m.extraTags, lease.holder, lease.until, ...extras];
    }
    if (extras.length > 0) return [m.id, m.level, m.message, m.extraTags, ...extras];
    return m.extraTags ? [m.id, m.level, m.message, m.extraTags] : [m.id, m.level, m.message];
  });
  if (notFinished) entries.push(NOT_FINISHED);
  return JSON.stringify(entries);
}

/** String.prototype.isWellFormed (ES2024, in every runtime the kit supports). */
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/**
 * Decodes what `encodeMessages` made; undefined for anything else. Never throws. Checked by hand
 * rather than with a zod schema: this runs on every request that reads messages (and per message
 * in Redis), and these few checks take a quarter of the time of a union of tuples in zod 4.
 */
export function decodeMessages(text: string): DecodedMessages | undefined {
  const newline = text.indexOf('\n');
  const data = newline < 0 ? parseJson(text) : withStrings(text, newline);
  if (!Array.isArray(data)) return undefined;
  const messages: StoredMessage[] = [];
  let leases: Map<string, HeldLease> | undefined;
  for (let index = 0; index < data.length; index += 1) {
    const entry: unknown = data[index];
    // The marker is only valid last.
    if (entry === NOT_FINISHED && index === data.length - 1) {
      return { messages, notFinished: true, leases };
    }
    if (!Array.isArray(entry)) return undefined;
    const message = toStoredMessage(entry);
    if (message === undefined) return undefined;
    messages.push(message);
    if (entry.length >= 6) {
      const [, , , , holder, until] = entry as unknown[];
      if (typeof holder !== 'string' || holder.length === 0 || !Number.isSafeInteger(until)) {
        return undefined;
      }
      leases ??= new Map();
      leases.set(message.id, { holder, until: until as number });
    }
  }
  return { messages, notFinished: false, leases };
}

// Where an entry of each length holds a string (see the compact form), in the order written: the
// id, the text, the extra tags, the holder, and the extras last in an entry of 5 or 7.
const STRING_POSITIONS: Readonly<Record<number, readonly number[]>> = {
  3: [0, 2],
  4: [0, 2, 3],
  5: [0, 2, 3, 4],
  6: [0, 2, 3, 4],
  7: [0, 2, 3, 4, 6],
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The entries of the form with strings set apart, each string (and extras object) back in its
 * place; undefined unless every length fits and together they take exactly what follows the
 * newline.
 */
function withStrings(text: string, newline: number): unknown[] | undefined {
  const lengths = parseJson(text.slice(0, newline));
  if (!Array.isArray(lengths)) return undefined;
  let at = newline + 1;
  const entries: unknown[] = [];
  for (const entry of lengths) {
    if (!Array.isArray(entry)) {
      entries.push(entry);
      continue;
    }
    const positions = STRING_POSITIONS[entry.length];
    if (positions === undefined) return undefined;
    const filled: unknown[] = [...entry];
    for (const position of positions) {
      const length: unknown = entry[position];
      if (!Number.isSafeInteger(length) || (length as number) < 0) return undefined;
      const end = at + (length as number);
      if (end > text.length) return undefined;
      const string = text.slice(at, end);
      at = end;
      // The extras object, last in an entry of 5 or 7 (as toStoredMessage reads it), is the
      // string of its JSON.
      const extras = (entry.length === 5 || entry.length === 7) && position === entry.length - 1;
      filled[position] = extras ? parseJson(string) : string;
    }
    entries.push(filled);
  }
  return at === text.length ? entries : undefined;
}

/**
 * An entry of 3 to 7 elements as a message; else undefined, as for one heavier than any message
 * the kit adds (`MAX_MESSAGE_BYTES`), which only a foreign writer or corruption could have made.
 */
function toStoredMessage(entry: readonly unknown[]): StoredMessage | undefined {
  if (entry.length < 3 || entry.length > 7) return undefined;
  const [id, level, message, extraTags = ''] = entry;
  if (typeof id !== 'string' || id.length === 0 || !Number.isInteger(level)) return undefined;
  if (typeof message !== 'string' || typeof extraTags !== 'string') return undefined;
  const stored = { id, level: level as number, message, extraTags };
  // Extras come as the 5th element, or the 7th after a lease.
  const read =
    entry.length === 5 || entry.length === 7 ? withExtras(stored, entry[entry.length - 1]) : stored;
  return read && weighsAtMost(read, MAX_MESSAGE_BYTES) ? read : undefined;
}

function encodeExtras(message: StoredMessage): Extras {
  const { key, translation, action } = message;
  return {
    ...(key ? { k: key } : {}),
    ...(translation ? { t: [translation.key, translation.params] } : {}),
    ...(action ? { a: encodeAction(action) } : {}),
  };
}

function encodeAction(action: MessageAction): NonNullable<Extras['a']> {
  const { label, path, input, expiresAt, token, translation } = action;
  return translation
    ? [label, path, input, expiresAt, token, [translation.key, translation.params]]
    : [label, path, input, expiresAt, token];
}

/** A translation as `[key, params]`; undefined when it is not one. */
function decodeTranslation(value: unknown): Translation | undefined {
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const translation = { key: value[0] as unknown, params: value[1] as unknown };
  return isTranslation(translation) ? translation : undefined;
}

/** `stored` with the extras read from `value`; undefined when they are malformed. */
function withExtras(stored: StoredMessage, value: unknown): StoredMessage | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  // Exactly what encodeExtras writes: one of the three at least, and nothing else.
  const names = Object.keys(value);
  if (names.length === 0 || names.some((name) => name !== 'k' && name !== 't' && name !== 'a')) {
    return undefined;
  }
  const { k, t, a } = value as Record<string, unknown>;
  let message: { -readonly [K in keyof StoredMessage]: StoredMessage[K] } = stored;
  if (k !== undefined) {
    if (!isMessageKey(k)) return undefined;
    message = { ...message, key: k };
  }
  if (t !== undefined) {
    const translation = decodeTranslation(t);
    if (translation === undefined) return undefined;
    message = { ...message, translation };
  }
  if (a !== undefined) {
    if (!Array.isArray(a) || (a.length !== 5 && a.length !== 6)) return undefined;
    const [label, path, input, expiresAt, token, labelKey] = a as unknown[];
    const translation = labelKey === undefined ? undefined : decodeTranslation(labelKey);
    if (labelKey !== undefined && translation === undefined) return undefined;
    // The input came out of JSON.parse: it is JSON.
    const action = {
      label,
      path,
      input,
      expiresAt,
      token,
      ...(translation ? { translation } : {}),
    };
    if (!isMessageAction(action)) return undefined;
    message = { ...message, action };
  }
  return message;
}
