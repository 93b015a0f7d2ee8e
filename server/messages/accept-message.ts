import { type Catalog, readTranslation, type Translation } from '../../shared/catalog.js';
import { isLevel, levelProblem } from '../../shared/levels.js';
import type { MessageAction, StoredMessage } from '../../shared/message.js';
import { isMessageAction, isMessageKey, MAX_KEY_LENGTH } from '../storage/message-rules.js';
import type { AddOptions } from './add-options.js';
import { newMessageId } from './message-id.js';
import { MessageInputError, type MessageProblem } from './message-input-error.js';

/** What `acceptMessage` needs of a request's settings. */
export interface AcceptRules {
  /** The app's catalog, for messages given by key. */
  readonly catalog: Catalog | undefined;
  /** Told of each change made to what was given. */
  readonly report: (error: MessageInputError) => void;
  /**
   * Signs an action `actions()` made (unsigned: its token is '') for the message's recipient;
   * absent where nothing signs (a `Messages` made without the kit).
   */
  readonly signAction?: ((action: MessageAction) => MessageAction) | undefined;
}

/**
 * The message `add` was given, checked, or undefined for none; never throws. A part that is wrong
 * goes, with the message when the message cannot be without it (its level, text, key or extra
 * tags, a key the catalog lacks), alone when it can (an action not made by `actions()`); each
 * change is reported. An empty text is no message, and is not reported (Django's rule). Its
 * weight is not checked here: see `fitMessage`.
 */
export function acceptMessage(
  level: unknown,
  text: unknown,
  options: AddOptions | undefined,
  rules: AcceptRules,
): StoredMessage | undefined {
  const drop = (problem: MessageProblem, what: string, fix: string) => {
    rules.report(new MessageInputError(problem, 'dropped', what, fix));
    return undefined;
  };
  if (!isLevel(level)) {
    return drop('level', levelProblem(level), 'pass a level: INFO, SUCCESS… or one of your tags');
  }
  const { extraTags = '', key, action } = options ?? {};
  if (typeof extraTags !== 'string') {
    return drop(
      'extra-tags',
      `extraTags must be a string, got ${typeof extraTags}`,
      "pass class names separated by spaces: { extraTags: 'task done' }",
    );
  }
  if (key !== undefined && !isMessageKey(key)) {
    return drop(
      'key',
      `a message's key must be a string of 1 to ${MAX_KEY_LENGTH} characters, got ${lengthOf(key)}`,
      "pass a short name of what the message is about: { key: 'export' }",
    );
  }
  let translation: Translation | undefined;
  if (typeof text !== 'string') {
    const read = readTranslation(rules.catalog, text);
    if ('fix' in read) return drop(read.kind === 'shape' ? 'text' : 'catalog', read.what, read.fix);
    translation = read;
  }
  let kept = action && signed(action, rules);
  if (action !== undefined && !isMessageAction(kept)) {
    kept = undefined;
    rules.report(
      new MessageInputError(
        'action',
        'action-dropped',
        "a message's action was not made by the kit's actions()",
        "make it with action({ label: 'Undo', path: 'tasks.restore', input: { id } })",
      ),
    );
  }
  const message = typeof text === 'string' ? text : '';
  if (message.length === 0 && !translation) return undefined;
  const stored: { -readonly [K in keyof StoredMessage]: StoredMessage[K] } = {
    id: newMessageId(),
    level,
    message,
    extraTags,
  };
  // Assigned, not spread: one object per message.
  if (key !== undefined) stored.key = key;
  if (translation) stored.translation = translation;
  if (kept) stored.action = kept;
  return stored;
}

/**
 * `action`, signed for its recipient when `actions()` made it (its token is ''); undefined when
 * it cannot be signed (an input that is not JSON: not made by `actions()` after all).
 */
function signed(action: MessageAction, rules: AcceptRules): MessageAction | undefined {
  if (action.token !== '' || !rules.signAction) return action;
  try {
    return rules.signAction(action);
  } catch {
    return undefined;
  }
}

/** What a key that is not one is: its length in characters, or its type. */
function lengthOf(key: unknown): string {
  return typeof key === 'string' ? `${key.length} characters` : typeof key;
}
