import { AssertionError, deepStrictEqual } from 'node:assert';
import type { Message } from '../../shared/message.js';
import type { TagMap } from '../../shared/tags.js';
import { Messages } from '../messages/messages.js';

/** A message as a test expects it. */
export interface ExpectedMessage {
  readonly level: number;
  readonly message: string;
  /** Default ''. */
  readonly extraTags?: string;
}

/** How `assertMessages` compares. */
export interface AssertMessagesOptions {
  /** Whether the order must match (default true). */
  readonly ordered?: boolean;
}

/**
 * Django's assertMessages: throws an AssertionError with a readable diff unless `actual` (a
 * request's messages, read without consuming them, or a list of messages) holds exactly the
 * expected ones, compared on level, text and extra tags.
 */
export async function assertMessages<Tags extends TagMap>(
  actual: Messages<Tags> | readonly Message[],
  expected: readonly ExpectedMessage[],
  options: AssertMessagesOptions = {},
): Promise<void> {
  const ordered = options.ordered ?? true;
  const messages = actual instanceof Messages ? await actual.peek() : actual;
  const got = messages.map(({ level, message, extraTags }) => ({ level, message, extraTags }));
  const want = expected.map(({ level, message, extraTags = '' }) => ({
    level,
    message,
    extraTags,
  }));
  if (!ordered) {
    const byContent = (a: ExpectedMessage, b: ExpectedMessage) =>
      JSON.stringify(a) < JSON.stringify(b) ? -1 : 1;
    got.sort(byContent);
    want.sort(byContent);
  }
  try {
    deepStrictEqual(got, want);
  } catch (error) {
    if (!(error instanceof AssertionError)) throw error;
    throw new AssertionError({
      message: `the messages differ from those expected${ordered ? '' : ' (in any order)'}`,
      actual: got,
      expected: want,
      operator: 'deepStrictEqual',
      stackStartFn: assertMessages,
    });
  }
}
