import { AssertionError } from 'node:assert';
import { describe, expect, it } from 'vitest';
import { createCookieExchange } from '../../../server/http/cookie-exchange.js';
import { Messages } from '../../../server/messages/messages.js';
import { cookieStorage } from '../../../server/storage/cookie/cookie-storage.js';
import { assertMessages } from '../../../server/testing/index.js';
import { ERROR, INFO, SUCCESS } from '../../../shared/index.js';

function messagesWith(...texts: Array<[number, string, string?]>) {
  const storage = cookieStorage({ secret: 'assert-messages-secret-of-32-chars' });
  const messages = new Messages(storage.open(createCookieExchange('', { secure: false })));
  for (const [level, text, extraTags] of texts) {
    messages.add(level as 20, text, extraTags === undefined ? {} : { extraTags });
  }
  return messages;
}

describe('assertMessages', () => {
  it('passes when the messages match in order, and does not consume them', async () => {
    const messages = messagesWith([SUCCESS, 'Saved.'], [ERROR, 'Oops.', 'form']);
    await assertMessages(messages, [
      { level: SUCCESS, message: 'Saved.' },
      { level: ERROR, message: 'Oops.', extraTags: 'form' },
    ]);
    expect(await messages.count()).toBe(2);
  });

  it('fails with a diff naming the difference when a message differs', async () => {
    const messages = messagesWith([SUCCESS, 'Saved.']);
    const failure = await assertMessages(messages, [{ level: SUCCESS, message: 'Stored.' }]).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AssertionError);
    expect(String((failure as AssertionError).message)).toMatch(/differ/);
    expect(String((failure as AssertionError).message)).toMatch(/Stored\./);
    expect(String((failure as AssertionError).message)).toMatch(/Saved\./);
  });

  it('fails on the order unless told the order does not matter', async () => {
    const messages = messagesWith([INFO, 'a'], [INFO, 'b']);
    const expected = [
      { level: INFO, message: 'b' },
      { level: INFO, message: 'a' },
    ];
    await expect(assertMessages(messages, expected)).rejects.toThrow(AssertionError);
    await assertMessages(messages, expected, { ordered: false });
  });

  it('fails when a message is missing or extra, even unordered', async () => {
    const messages = messagesWith([INFO, 'a'], [INFO, 'a']);
    await expect(
      assertMessages(messages, [{ level: INFO, message: 'a' }], { ordered: false }),
    ).rejects.toThrow(/in any order/);
  });

  it('compares level and extra tags too', async () => {
    await expect(
      assertMessages(messagesWith([INFO, 'a']), [{ level: SUCCESS, message: 'a' }]),
    ).rejects.toThrow(AssertionError);
    await expect(
      assertMessages(messagesWith([INFO, 'a', 'x']), [{ level: INFO, message: 'a' }]),
    ).rejects.toThrow(AssertionError);
  });

  it('accepts a plain list of messages', async () => {
    const list = await messagesWith([INFO, 'a']).consume();
    await assertMessages(list, [{ level: INFO, message: 'a' }]);
  });
});
