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

/** The most actions one request claims (a call of a message's action each). */
export const MAX_ACTION_CLAIMS = 10;

const TAB = /^[A-Za-z0-9_-]{8,64}$/;
const ID = /^[A-Za-z0-9_-]{1,64}$/;
// `path:expiresAt.id.signature`: a tRPC path, then the token the server gave the action.
const CLAIM = /^([A-Za-z0-9_$.-]{1,200}):([0-9]{1,16}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43})$/;
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
  /** The actions of messages that the request's calls run (see `MessageAction`). */
  readonly actions?: readonly ActionClaim[];
}

/** A call that runs a message's action: its path and the token the server signed it with. */
export interface ActionClaim {
  readonly path: string;
  readonly token: string;
}

/** The client header's value: `tab=<id>; inline=all; ack=<id> <id>`. */
export function formatClientHeader(header: ClientHeader): string {
  const parts: string[] = [];
  if (header.tab) parts.push(`tab=${header.tab}`);
  if (header.inline) parts.push(`inline=${header.inline}`);
  if (header.acks.length > 0) parts.push(`ack=${header.acks.slice(0, MAX_ACKS).join(' ')}`);
  const claims = header.actions ?? [];
  if (claims.length > 0) {
    const written = claims.slice(0, MAX_ACTION_CLAIMS).map((c) => `${c.path}:${c.token}`);
    parts.push(`action=${written.join(' ')}`);
  }
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
  let actions: ActionClaim[] = [];
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
    } else if (name === 'action') {
      actions = field
        .split(' ')
        .flatMap((claim) => {
          const match = CLAIM.exec(claim);
          return match ? [{ path: match[1] as string, token: match[2] as string }] : [];
        })
        .slice(0, MAX_ACTION_CLAIMS);
    }
  }
  return actions.length > 0 ? { tab, inline, acks, actions } : { tab, inline, acks };
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

/**
 * Whether `value` has the shape of a message, optional fields included (checked by hand: no zod
 * in the client bundle). A message is taken whole or not at all: the server checks what it
 * writes, so a field of the wrong shape means a header it did not write (or a mismatched
 * version), and a message half understood could render wrong or offer a button that breaks.
 */
function isMessage(value: unknown): value is Message {
  const { id, level, key, translation, action, ...texts } = fieldsOf(value);
  return (
    isText(id) &&
    Number.isSafeInteger(level) &&
    ['message', 'extraTags', 'levelTag', 'tags'].every((name) => typeof texts[name] === 'string') &&
    (key === undefined || isText(key)) &&
    (translation === undefined || isTranslation(fieldsOf(translation))) &&
    (action === undefined || isAction(fieldsOf(action)))
  );
}

/** A message's `translation`: a key, and parameters that are strings or numbers. */
function isTranslation({ key, params }: Record<string, unknown>): boolean {
  return (
    isText(key) &&
    typeof params === 'object' &&
    params !== null &&
    !Array.isArray(params) &&
    Object.values(params).every((param) => ['string', 'number'].includes(typeof param))
  );
}

/** A message's `action`: a label, a path, an input, an expiry and a token. */
function isAction(action: Record<string, unknown>): boolean {
  const { label, path, expiresAt, token, translation } = action;
  return (
    isText(label) &&
    (translation === undefined || isTranslation(fieldsOf(translation))) &&
    isText(path) &&
    isText(token) &&
    'input' in action &&
    Number.isSafeInteger(expiresAt) &&
    (expiresAt as number) >= 0
  );
}

const isText = (value: unknown): boolean => typeof value === 'string' && value !== '';

/** The fields of `value`: none for what is not an object. */
const fieldsOf = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

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
