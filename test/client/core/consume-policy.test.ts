import { focusManager, MutationObserver, onlineManager, QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BrowserTab } from '../../../client/core/browser-tab.js';
import { consumeTriggers } from '../../../client/core/consume-policy.js';
import { MessageConsumer } from '../../../client/core/message-consumer.js';
import type { MessagesClient } from '../../../client/core/messages-client.js';
import { Subscribable } from '../../../client/core/subscribable.js';

afterEach(() => {
  focusManager.setFocused(undefined);
  onlineManager.setOnline(true);
});

/** What the policy is asked with: the client's link or none, live or not, and what consume says. */
interface Case {
  readonly name: string;
  readonly link: boolean;
  readonly live: boolean;
  /** What the server's consume says: its live stream signals every message (no cookie's). */
  readonly liveSignalsAll: boolean;
}

/**
 * The policy's triggers for `setting`, subscribed with a consume that counts, over a client whose
 * consume answers at once and whose live stream the test signals by hand.
 */
async function watched({ link, live, liveSignalsAll }: Case) {
  const streams: ((signal: unknown) => void)[] = [];
  const client: MessagesClient = {
    messages: {
      consume: { query: async () => ({ messages: [], liveSignalsAll }) },
      live: {
        subscribe: (_input, { onData }) => {
          streams.push(onData);
          return { unsubscribe: () => {} };
        },
      },
    },
  };
  const consumer = new MessageConsumer(client, { receive: () => {} });
  const tab = new BrowserTab({});
  const consumeWanted = new Subscribable();
  const queryClient = new QueryClient();
  const triggers = consumeTriggers(
    consumer,
    link ? { tab, consumeWanted: consumeWanted.subscribe } : undefined,
    { queryClient, live },
  );
  let consumes = 0;
  const stops = triggers.map((trigger) => trigger(() => (consumes += 1)));
  // The page's first consume, which tells whether the stream signals everything.
  await consumer.consume();
  if (live) await vi.waitFor(() => expect(streams).toHaveLength(1));
  /** How many consumes `event` asked for. */
  const consumesOn = async (event: () => unknown): Promise<number> => {
    const before = consumes;
    await event();
    return consumes - before;
  };
  return {
    streams,
    focus: () =>
      consumesOn(() => {
        focusManager.setFocused(false);
        focusManager.setFocused(true);
      }),
    reconnect: () =>
      consumesOn(() => {
        onlineManager.setOnline(false);
        onlineManager.setOnline(true);
      }),
    mutation: () =>
      consumesOn(() =>
        new MutationObserver(queryClient, { mutationFn: async () => 'done' }).mutate(),
      ),
    linkWants: () => consumesOn(() => consumeWanted.emit()),
    tabAsked: () => consumesOn(() => tab.askToConsume(tab.id)),
    signal: () => consumesOn(() => streams[0]?.({})),
    stop: () => {
      for (const stop of stops) stop();
      tab.close();
    },
  };
}

const cases: readonly (Case & {
  /** Consumes after: a mutation, the link's want, another tab's ask, a live signal. */
  readonly expected: readonly [number, number, number, number];
})[] = [
  { name: 'with the link', link: true, live: false, liveSignalsAll: true, expected: [0, 1, 1, 0] },
  {
    name: 'with the link, live',
    link: true,
    live: true,
    liveSignalsAll: true,
    expected: [0, 1, 1, 1],
  },
  {
    name: 'without the link',
    link: false,
    live: false,
    liveSignalsAll: true,
    expected: [1, 0, 0, 0],
  },
  {
    name: 'without the link, live, the stream signalling every message',
    link: false,
    live: true,
    liveSignalsAll: true,
    expected: [0, 0, 0, 1],
  },
  {
    name: 'without the link, live, the cookie (fallbackStorage) holding some out of its sight',
    link: false,
    live: true,
    liveSignalsAll: false,
    expected: [1, 0, 0, 1],
  },
];

describe.each(cases)('consumeTriggers $name', (setting) => {
  it('consumes on window focus and on reconnect', async () => {
    const page = await watched(setting);
    expect([await page.focus(), await page.reconnect()]).toEqual([1, 1]);
    page.stop();
  });

  it('consumes after a mutation, on the link’s want, on another tab’s ask and on a live signal as the setting calls for', async () => {
    const page = await watched(setting);
    expect([
      await page.mutation(),
      await page.linkWants(),
      await page.tabAsked(),
      await page.signal(),
    ]).toEqual(setting.expected);
    page.stop();
  });

  it(`opens ${setting.live ? 'one live stream' : 'no live stream'}`, async () => {
    const page = await watched(setting);
    expect(page.streams).toHaveLength(setting.live ? 1 : 0);
    page.stop();
  });
});
