import type { StoredMessage } from '../../shared/message.js';

// Compact form: [id, level, text] or [id, level, text, extraTags]; a trailing 0 is Django's
// "not finished" marker (more messages were meant for this place than it holds).
const NOT_FINISHED = 0;

/** Messages as a backend reads them back, with Django's "not finished" flag. */
export interface DecodedMessages {
  readonly messages: StoredMessage[];
  readonly notFinished: boolean;
}

/** Encodes messages as compact JSON, with the "not finished" marker when asked. */
export function encodeMessages(messages: readonly StoredMessage[], notFinished = false): string {
  const entries: unknown[] = messages.map((m) =>
    m.extraTags ? [m.id, m.level, m.message, m.extraTags] : [m.id, m.level, m.message],
  );
  if (notFinished) entries.push(NOT_FINISHED);
  return JSON.stringify(entries);
}

/**
 * Decodes what `encodeMessages` made; undefined for anything else. Never throws. Checked by hand
 * rather than with a zod schema: this runs on every request that reads messages (and per message
 * in Redis), and these few checks take a quarter of the time of a union of tuples in zod 4.
 */
export function decodeMessages(json: string): DecodedMessages | undefined {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!Array.isArray(data)) return undefined;
  const messages: StoredMessage[] = [];
  for (let index = 0; index < data.length; index += 1) {
    const entry: unknown = data[index];
    // The marker is only valid last.
    if (entry === NOT_FINISHED && index === data.length - 1) return { messages, notFinished: true };
    const message = toStoredMessage(entry);
    if (message === undefined) return undefined;
    messages.push(message);
  }
  return { messages, notFinished: false };
}

/** An entry [id, level, text] or [id, level, text, extraTags] as a message; else undefined. */
function toStoredMessage(entry: unknown): StoredMessage | undefined {
  if (!Array.isArray(entry) || (entry.length !== 3 && entry.length !== 4)) return undefined;
  const [id, level, message, extraTags = ''] = entry as unknown[];
  if (typeof id !== 'string' || id.length === 0 || !Number.isInteger(level)) return undefined;
  if (typeof message !== 'string' || typeof extraTags !== 'string') return undefined;
  return { id, level: level as number, message, extraTags };
}
