import type { Translation } from '../../shared/catalog.js';
import type { MessageAction } from '../../shared/message.js';

/** Options of one added message. */
export interface AddOptions {
  /** Space-separated tags put before the level tag in `tags` (class names for the UI). */
  readonly extraTags?: string;
  /**
   * A later message with the same key takes this one's place on screen, where this one is still
   * shown: a job's progress, a status that changes.
   */
  readonly key?: string;
  /** A call the user can make from the message: `action: action({ label: 'Undo', … })`. */
  readonly action?: MessageAction;
}

/** What a message says: a text, or a key of the app's catalog with its parameters. */
export type MessageText = string | Translation;
