import { z } from 'zod';
import { type Catalog, formatText, type Translation } from './catalog.js';
import { joinTags, levelTag, type TagMap } from './tags.js';

/**
 * An action a message offers (a toast's button): a call of one of the app's mutations, with the
 * input the server chose, signed by it. The client sends `token` back with the call, and the
 * server refuses a call whose path or input differs from what it signed, or that comes too late.
 */
const translationSchema = z.object({
  key: z.string().min(1),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
});

const actionSchema = z.object({
  /** The button's text (for a label given by key, the catalog's). */
  label: z.string().min(1),
  /** The label's key and parameters in the app's catalog, for the client to render. */
  translation: translationSchema.optional(),
  /** The mutation's path: `tasks.restore`. */
  path: z.string().min(1),
  /** The mutation's input, as JSON. */
  input: z.json(),
  /** When the action stops being accepted, in ms since the epoch. */
  expiresAt: z.number().int().nonnegative(),
  /** The server's signature of the path, the input and the expiry. */
  token: z.string().min(1),
});

/** An action a message offers: a signed call of one of the app's mutations. */
export type MessageAction = z.infer<typeof actionSchema>;

/** A message as it travels from server to client. */
export const messageSchema = z.object({
  /** Unique per message; the client shows each id once. */
  id: z.string().min(1),
  level: z.number().int(),
  /** The text: given as it is, or rendered from the catalog for a message given by key. */
  message: z.string(),
  extraTags: z.string(),
  /** The tag of the level ('' when the tag map does not know the level). */
  levelTag: z.string(),
  /** The extra tags and the level tag, space-separated: ready to be a class name. */
  tags: z.string(),
  /** A later message with the same key takes this one's place on screen (progress, a status). */
  key: z.string().min(1).optional(),
  /** The message's key and parameters in the app's catalog, for the client to render. */
  translation: translationSchema.optional(),
  /** A call the user can make from the message (Undo). */
  action: actionSchema.optional(),
});

/** A message as the client receives it. */
export type Message = z.infer<typeof messageSchema>;

/** A list of messages as the client receives it. */
export const messageListSchema = z.array(messageSchema);

/**
 * What storages keep of a message; its tags (and the text of one given by key) are worked out
 * when it is read, from the tag map and catalog then in force.
 */
export interface StoredMessage {
  readonly id: string;
  readonly level: number;
  /** The text; '' for a message given by key (`translation`). */
  readonly message: string;
  readonly extraTags: string;
  readonly key?: string | undefined;
  readonly translation?: Translation | undefined;
  readonly action?: MessageAction | undefined;
}

/**
 * Turns a stored message into the wire form, computing its tags from `tags` and, for a message
 * given by key, its text from `catalog` (the key itself when the catalog lacks it).
 */
export function toMessage(stored: StoredMessage, tags?: TagMap, catalog?: Catalog): Message {
  const tagOfLevel = levelTag(stored.level, tags);
  const message: Message = {
    id: stored.id,
    level: stored.level,
    message: stored.translation
      ? formatText(
          catalog?.[stored.translation.key] ?? stored.translation.key,
          stored.translation.params,
        )
      : stored.message,
    extraTags: stored.extraTags,
    levelTag: tagOfLevel,
    tags: joinTags(stored.extraTags, tagOfLevel),
  };
  if (stored.key !== undefined) message.key = stored.key;
  if (stored.translation !== undefined) message.translation = stored.translation;
  if (stored.action !== undefined) message.action = stored.action;
  return message;
}
