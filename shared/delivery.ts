import type { Message } from './message.js';

// The delivery protocol between the client's link and the server, in two HTTP headers. Written
// by hand: a few lines of splitting, bounded in size, where a general structured-header parser
// would cost the client bundle more than it saves.

/** The request header a client's link sends: its tab, what the response may carry, its acks. */
export const CLIENT_HEADER = 'trpc-messages-client';

/** The response header that carries a request's messages to the client (inline delivery). */
export const INLINE_HEADER = 'trpc-messages';

/** The most acknowledgements one request carries; more wait for the next one. */
export const MAX_ACKS = 100;

/** A client header longer than this is not ours: it is ignored whole, unparsed. */
const MAX_CLIENT_HEADER_LENGTH = 8192;

/** The longest inline header the server writes; what does not fit is left for a consume. */
export const MAX_INLINE_HEADER_LENGTH = 8192;

const TAB = /^[A-Za-z0-9_-]{8,64}$/;
const ID = /^[A-Za-z0-9_-]{1,64}$/;
// The header exactly as the kit's link writes it: read in one match (a request's hot path).
const AS_WRITTEN =
  /^tab=([A-Za-z0-9_-]{8,64})(?:; inline=(own|all))?(?:; ack=([A-Za-z0-9_-]{1,64}(?: [A-Za-z0-9_-]{1,64})*))?$/;

/** What a client says of itself with each request. */
export interface ClientHeader {
  /** The browser tab asking: what it is handed is leased to it. */
  readonly tab?: string | undefined;
  /** The response may carry messages: 'all' for a tab in view, 'own' (its own only) otherwise. */
  readonly inline?: 'own' | 'all' | undefined;
  /** Ids of messages the tab has shown. */
  readonly acks: readonly string[];
}

/** The client header's value: `tab=<id>; inline=all; ack=<id> <id>`. */
export function formatClientHeader(header: ClientHeader): string {
  const parts: string[] = [];
  if (header.tab) parts.push(`tab=${header.tab}`);
  if (header.inline) parts.push(`inline=${header.inline}`);
  if (header.acks.length > 0) parts.push(`ack=${header.acks.slice(0, MAX_ACKS).join(' ')}`);
  return parts.join('; ');
}

/**
 * Reads a client header; never throws. What is malformed is left out (a bad tab, a bad id), a
 * header too long is ignored whole, and acknowledgements past MAX_ACKS are dropped: the work is
 * bounded whatever a client sends.
 */
export function parseClientHeader(value: string | null | undefined): ClientHeader | undefined {
  if (!value || value.length > MAX_CLIENT_HEADER_LENGTH) return undefined;
  const written = AS_WRITTEN.exec(value);
  if (written) {
    const [, tab, inline, acks] = written;
    return {
      tab,
      inline: inline as 'own' | 'all' | undefined,
      acks: acks ? acks.split(' ').slice(0, MAX_ACKS) : [],
    };
  }
  let tab: string | undefined;
  let inline: 'own' | 'all' | undefined;
  let acks: string[] = [];
  for (const part of value.split(';')) {
    const equals = part.indexOf('=');
    if (equals < 0) continue;
    const name = part.slice(0, equals).trim();
    const field = part.slice(equals + 1).trim();
    if (name === 'tab' && TAB.test(field)) tab = field;
    else if (name === 'inline' && (field === 'own' || field === 'all')) inline = field;
    else if (name === 'ack') {
      acks = field
        .split(' ')
        .filter((id) => ID.test(id))
        .slice(0, MAX_ACKS);
    }
  }
  return { tab, inline, acks };
}

/** What a response carries inline: the messages handed to the request, and how to follow up. */
export interface InlineDelivery {
  readonly messages: readonly Message[];
  /** How long the messages are leased to the tab: acknowledge them well within it. */
  readonly leaseMs: number;
  /** Some messages did not fit the header: consume to get them. */
  readonly more: boolean;
}

/**
 * The inline header's value: JSON with every character past ASCII escaped, as a header value
 * must be bytes a browser reads back unchanged. Messages that would take it past
 * MAX_INLINE_HEADER_LENGTH are left out, and `more` set.
 */
export function encodeInline(messages: readonly Message[], leaseMs: number): string {
  const encoded: string[] = [];
  let length = 0;
  let more = false;
  for (const message of messages) {
    const json = asciiJson(message);
    if (length + json.length + 64 > MAX_INLINE_HEADER_LENGTH) {
      more = true;
      break;
    }
    encoded.push(json);
    length += json.length + 1;
  }
  return `{"messages":[${encoded.join(',')}],"leaseMs":${leaseMs},"more":${more}}`;
}

/** Reads an inline header; undefined when there is none or it is not one of ours. */
export function decodeInline(value: string | null | undefined): InlineDelivery | undefined {
  if (!value) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const { messages, leaseMs, more } = data as Record<string, unknown>;
  if (!Array.isArray(messages) || typeof leaseMs !== 'number' || typeof more !== 'boolean') {
    return undefined;
  }
  return { messages: messages.filter(isMessage), leaseMs, more };
}

/** Whether `value` has the shape of a message (checked by hand: no zod in the client bundle). */
function isMessage(value: unknown): value is Message {
  const { id, level, ...texts } = (value ?? {}) as Record<string, unknown>;
  return (
    typeof id === 'string' &&
    id !== '' &&
    Number.isInteger(level) &&
    ['message', 'extraTags', 'levelTag', 'tags'].every((key) => typeof texts[key] === 'string')
  );
}

const NON_ASCII = /[^\x20-\x7e]/g;
const HAS_NON_ASCII = /[^\x20-\x7e]/;

function asciiJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (!HAS_NON_ASCII.test(json)) return json;
  return json.replace(
    NON_ASCII,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
