import type { StoredMessage } from '../../shared/message.js';
import type { HeldLease } from './message-store.js';

// Compact form: [id, level, text], [id, level, text, extraTags], or, for a leased message (in the
// cookie), [id, level, text, extraTags, holder, until in ms since the epoch]; a trailing 0 is
// Django's "not finished" marker (more messages were meant for this place than it holds).
const NOT_FINISHED = 0;

/** Messages as a backend reads them back, with Django's "not finished" flag and their leases. */
export interface DecodedMessages {
  readonly messages: StoredMessage[];
  readonly notFinished: boolean;
  /** The leases of leased messages, by id; undefined when none is leased. */
  readonly leases?: ReadonlyMap<string, HeldLease> | undefined;
}

/** Encodes messages as compact JSON, with the "not finished" marker when asked, and leases. */
export function encodeMessages(
  messages: readonly StoredMessage[],
  notFinished = false,
  leases?: ReadonlyMap<string, HeldLease>,
): string {
  const entries: unknown[] = messages.map((m) => {
    const lease = leases?.get(m.id);
    if (lease) {
      return [m.id, m.level, m.message, m.extraTags, lease.holder, lease.until];
    }
    return m.extraTags ? [m.id, m.level, m.message, m.extraTags] : [m.id, m.level, m.message];
  });
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
    if (entry.length === 6) {
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

/** An entry of 3, 4 or 6 elements as a message; else undefined. */
function toStoredMessage(entry: readonly unknown[]): StoredMessage | undefined {
  if (entry.length !== 3 && entry.length !== 4 && entry.length !== 6) return undefined;
  const [id, level, message, extraTags = ''] = entry;
  if (typeof id !== 'string' || id.length === 0 || !Number.isInteger(level)) return undefined;
  if (typeof message !== 'string' || typeof extraTags !== 'string') return undefined;
  return { id, level: level as number, message, extraTags };
}
