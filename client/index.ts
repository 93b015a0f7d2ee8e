import { type Message, messageListSchema } from '../shared/message.js';

export * from '../shared/index.js';

/**
 * Checks what the server sent as a list of messages, so a client never renders something that is
 * not one; throws a TypeError naming the first problem.
 */
export function parseMessages(data: unknown): Message[] {
  const result = messageListSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new TypeError(
      `trpc-messages: the server sent something that is not a list of messages` +
        (issue ? ` (${issue.path.join('.') || 'root'}: ${issue.message})` : ''),
    );
  }
  return result.data;
}
