import { z } from 'zod';
import type { StoredMessage } from '../../shared/message.js';

// Compact form: [id, level, text] or [id, level, text, extraTags]; a trailing 0 is Django's
// "not finished" marker (more messages were meant for this place than it holds).
const NOT_FINISHED = 0;
const entrySchema = z.union([
  z.tuple([z.string().min(1), z.number().int(), z.string()]),
  z.tuple([z.string().min(1), z.number().int(), z.string(), z.string()]),
]);
const payloadSchema = z.array(z.union([entrySchema, z.literal(NOT_FINISHED)]));

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

/** Decodes what `encodeMessages` made; undefined for anything else. Never throws. */
export function decodeMessages(json: string): DecodedMessages | undefined {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return undefined;
  }
  const parsed = payloadSchema.safeParse(data);
  if (!parsed.success) return undefined;
  const messages: StoredMessage[] = [];
  let notFinished = false;
  for (const [index, entry] of parsed.data.entries()) {
    if (entry === NOT_FINISHED) {
      // The marker is only valid last.
      if (index !== parsed.data.length - 1) return undefined;
      notFinished = true;
    } else {
      const [id, level, message, extraTags = ''] = entry;
      messages.push({ id, level, message, extraTags });
    }
  }
  return { messages, notFinished };
}
