import { z } from 'zod';
import { joinTags, levelTag, type TagMap } from './tags.js';

/** A message as it travels from server to client. */
export const messageSchema = z.object({
  /** Unique per message; the client shows each id once. */
  id: z.string().min(1),
  level: z.number().int(),
  message: z.string(),
  extraTags: z.string(),
  /** The tag of the level ('' when the tag map does not know the level). */
  levelTag: z.string(),
  /** The extra tags and the level tag, space-separated: ready to be a class name. */
  tags: z.string(),
});

/** A message as the client receives it. */
export type Message = z.infer<typeof messageSchema>;

/** A list of messages as the client receives it. */
export const messageListSchema = z.array(messageSchema);

/** What storages keep of a message; tags are worked out when it is read, from the tag map then in force. */
export interface StoredMessage {
  readonly id: string;
  readonly level: number;
  readonly message: string;
  readonly extraTags: string;
}

/** Turns a stored message into the wire form, computing its tags from `tags`. */
export function toMessage(stored: StoredMessage, tags?: TagMap): Message {
  const tagOfLevel = levelTag(stored.level, tags);
  return {
    id: stored.id,
    level: stored.level,
    message: stored.message,
    extraTags: stored.extraTags,
    levelTag: tagOfLevel,
    tags: joinTags(stored.extraTags, tagOfLevel),
  };
}
