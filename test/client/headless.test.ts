import * as client from 'trpc-messages/client';
import * as headless from 'trpc-messages/client/headless';
import { describe, expect, it } from 'vitest';

describe('trpc-messages/client/headless', () => {
  it('exports the core, the link, messagesFor and useMessages', () => {
    expect(Object.keys(headless)).toEqual(
      expect.arrayContaining([
        'MessageList',
        'MessageConsumer',
        'mutationSettled',
        'windowFocused',
        'reconnected',
        'messagesLink',
        'messagesFor',
        'useMessages',
        'SUCCESS',
      ]),
    );
  });

  it('exports no Toaster, which trpc-messages/client adds to the same exports', () => {
    expect(Object.keys(headless)).not.toContain('Toaster');
    expect(
      Object.keys(client)
        .filter((name) => !(name in headless))
        .sort(),
    ).toEqual(['DEFAULT_DURATIONS', 'Toaster', 'toastKind']);
  });

  it('shares its objects with trpc-messages/client: one list per tRPC client, whichever entry', () => {
    expect(headless.messagesFor).toBe(client.messagesFor);
  });
});
