import { type AddressInfo, createServer } from 'node:net';
import { TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConsumeTrigger } from '../../../client/core/consume-triggers.js';
import { MessageConsumer } from '../../../client/core/message-consumer.js';
import { MessageList } from '../../../client/core/message-list.js';
import type { MessagesClient } from '../../../client/core/messages-client.js';
import type { Message } from '../../../shared/message.js';
import { createBrowser } from '../../fixtures/trpc-client.js';
import { type RunningApp, TestApps } from '../../fixtures/trpc-server.js';
import { failOnUnhandledRejections } from '../../fixtures/unhandled-rejections.js';

/** What a consumer hands over, pushed onto `list`. */
const into = (list: MessageList) => (messages: readonly Message[]) => void list.push(messages);

failOnUnhandledRejections();

type Browser = ReturnType<typeof createBrowser>;

const apps = new TestApps();

/** Serves the test app; closed after each test. */
function start(): Promise<RunningApp> {
  return apps.start('standalone');
}

/** A browser of a fresh app, its messages session started by a first consume. */
async function browserOfNewApp(): Promise<Browser> {
  const browser = createBrowser((await start()).url);
  await browser.client.messages.consume.query();
  browser.requests.length = 0;
  return browser;
}

const texts = (list: MessageList) => list.getSnapshot().map((m) => m.message);

/** The HTTP requests of `browser` that consumed messages. */
const consumeRequests = (browser: Browser) =>
  browser.requests.filter((url) => url.includes('messages.consume')).length;

/**
 * The browser's real client, watched: each consume is logged ('start n' before the request,
 * 'answered n' once the server answered, 'end n' once it is over), in-flight ones counted, and fetch n can be held once the server has
 * answered (`hold(n)`) or made to fail instead of asking the server (`fail(n)`).
 */
function instrument(client: MessagesClient) {
  const log: string[] = [];
  const held = new Map<number, Promise<void>>();
  const failing = new Set<number>();
  let fetches = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const wrapped: MessagesClient = {
    messages: {
      consume: {
        query: async () => {
          fetches += 1;
          const n = fetches;
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          log.push(`start ${n}`);
          try {
            if (failing.has(n)) throw new Error(`consume ${n} failed`);
            const result = await client.messages.consume.query();
            log.push(`answered ${n}`);
            await held.get(n);
            return result;
          } finally {
            inFlight -= 1;
            log.push(`end ${n}`);
          }
        },
      },
    },
  };
  return {
    client: wrapped,
    log,
    maxInFlight: () => maxInFlight,
    /** Holds fetch n once the server answered, until the returned release is called. */
    hold(n: number): () => void {
      let release = () => {};
      held.set(
        n,
        new Promise<void>((resolve) => {
          release = resolve;
        }),
      );
      return release;
    },
    fail(n: number): void {
      failing.add(n);
    },
  };
}

/** A trigger the test fires by hand, counting its subscriptions. */
function manualTrigger() {
  const state = { subscribed: 0, unsubscribed: 0 };
  let current: (() => void) | undefined;
  const trigger: ConsumeTrigger = (consume) => {
    state.subscribed += 1;
    current = consume;
    return () => {
      state.unsubscribed += 1;
      current = undefined;
    };
  };
  return { trigger, state, fire: () => current?.() };
}

afterEach(async () => {
  await apps.closeAll();
  vi.restoreAllMocks();
});

describe('consume', () => {
  it("pulls the server's messages into the list, which the server then no longer has", async () => {
    const browser = await browserOfNewApp();
    await browser.client.add.mutate({ text: 'One.' });
    await browser.client.add.mutate({ text: 'Two.' });
    const list = new MessageList();
    const consumer = new MessageConsumer(browser.client, { receive: into(list) });

    await consumer.consume();

    expect(texts(list)).toEqual(['One.', 'Two.']);
    expect((await browser.client.messages.consume.query()).messages).toEqual([]);
  });

  it('adds what later consumes bring after what is already in the list', async () => {
    const browser = await browserOfNewApp();
    const list = new MessageList();
    const consumer = new MessageConsumer(browser.client, { receive: into(list) });
    await browser.client.add.mutate({ text: 'First.' });
    await consumer.consume();
    await browser.client.add.mutate({ text: 'Second.' });
    await consumer.consume();
    await consumer.consume();
    expect(texts(list)).toEqual(['First.', 'Second.']);
  });

  it('never overlaps: ten calls at once make two requests, the running one and one follow-up', async () => {
    const browser = await browserOfNewApp();
    await browser.client.add.mutate({ text: 'Once.' });
    const watched = instrument(browser.client);
    const list = new MessageList();
    const consumer = new MessageConsumer(watched.client, { receive: into(list) });

    await Promise.all(Array.from({ length: 10 }, () => consumer.consume()));

    expect(consumeRequests(browser)).toBe(2);
    expect(watched.maxInFlight()).toBe(1);
    expect(watched.log).toEqual([
      'start 1',
      'answered 1',
      'end 1',
      'start 2',
      'answered 2',
      'end 2',
    ]);
    expect(texts(list)).toEqual(['Once.']);
  });

  it('resolves every call after a fetch that started after the call', async () => {
    const browser = await browserOfNewApp();
    const watched = instrument(browser.client);
    const consumer = new MessageConsumer(watched.client, { receive: into(new MessageList()) });
    const releaseSecond = watched.hold(2);
    const { log } = watched;
    const call = (name: string) => {
      log.push(`call ${name}`);
      return consumer.consume().then(() => log.push(`resolved ${name}`));
    };

    const calls = [call('a'), call('b'), call('c')];
    await vi.waitFor(() => expect(log).toContain('start 2'));
    // Fetch 2 started before this call, so it must wait for fetch 3.
    calls.push(call('d'));
    releaseSecond();
    await Promise.all(calls);

    for (const name of ['a', 'b', 'c', 'd']) {
      const called = log.indexOf(`call ${name}`);
      const resolved = log.indexOf(`resolved ${name}`);
      const servedBy = log.filter(
        (entry, at) =>
          entry.startsWith('start') &&
          at > called &&
          log.indexOf(entry.replace('start', 'end')) < resolved,
      );
      expect(servedBy, `call ${name}: ${log.join(', ')}`).not.toEqual([]);
    }
    expect(consumeRequests(browser)).toBe(3);
    expect(watched.maxInFlight()).toBe(1);
  });

  it('brings a message added while a fetch ran to the call made after it was added', async () => {
    const browser = await browserOfNewApp();
    const watched = instrument(browser.client);
    const list = new MessageList();
    const consumer = new MessageConsumer(watched.client, { receive: into(list) });
    // Fetch 1 has read the server, but not finished, when the message is added.
    const releaseFirst = watched.hold(1);
    const first = consumer.consume();
    await vi.waitFor(() => expect(watched.log).toContain('answered 1'));
    await browser.client.add.mutate({ text: 'Added meanwhile.' });
    const second = consumer.consume();
    releaseFirst();
    await first;
    await second;
    expect(texts(list)).toEqual(['Added meanwhile.']);
  });
});

describe('a failing consume', () => {
  it('goes to onError once, is not retried, and does not stop later consumes', async () => {
    // A server that drops every connection: it keeps its port, so no other test can take it.
    const dropping = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.1', resolve));
    const { port } = dropping.address() as AddressInfo;
    const browser = createBrowser(`http://127.0.0.1:${port}`);
    const onError = vi.fn();
    const consumer = new MessageConsumer(browser.client, {
      receive: into(new MessageList()),
      onError,
    });

    try {
      await expect(consumer.consume()).resolves.toBeUndefined();
      expect(onError).toHaveBeenCalledTimes(1);
      expect(onError.mock.calls[0]?.[0]).toBeInstanceOf(TRPCClientError);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(browser.requests).toHaveLength(1);

      await consumer.consume();
      expect(onError).toHaveBeenCalledTimes(2);
      expect(browser.requests).toHaveLength(2);
    } finally {
      await new Promise((resolve) => dropping.close(resolve));
    }
  });

  it('lets the follow-up and later consumes fetch the messages', async () => {
    const browser = await browserOfNewApp();
    await browser.client.add.mutate({ text: 'Still delivered.' });
    const watched = instrument(browser.client);
    watched.fail(1);
    const onError = vi.fn();
    const list = new MessageList();
    const consumer = new MessageConsumer(watched.client, { receive: into(list), onError });

    await Promise.all([consumer.consume(), consumer.consume()]);

    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]?.[0]).toEqual(new Error('consume 1 failed'));
    expect(texts(list)).toEqual(['Still delivered.']);
    await browser.client.add.mutate({ text: 'Later.' });
    await consumer.consume();
    expect(texts(list)).toEqual(['Still delivered.', 'Later.']);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('is reported on the console by default', async () => {
    const browser = await browserOfNewApp();
    const watched = instrument(browser.client);
    watched.fail(1);
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    await new MessageConsumer(watched.client, { receive: into(new MessageList()) }).consume();
    expect(consoleError).toHaveBeenCalledWith('trpc-messages:', new Error('consume 1 failed'));
  });
});

describe('watch', () => {
  it('consumes at once', async () => {
    const browser = await browserOfNewApp();
    await browser.client.add.mutate({ text: 'Before the watch.' });
    const list = new MessageList();
    const consumer = new MessageConsumer(browser.client, { receive: into(list) });

    const stop = consumer.watch([]);

    await vi.waitFor(() => expect(texts(list)).toEqual(['Before the watch.']));
    stop();
  });

  it('consumes on every trigger', async () => {
    const browser = await browserOfNewApp();
    const list = new MessageList();
    const consumer = new MessageConsumer(browser.client, { receive: into(list) });
    const manual = manualTrigger();
    const stop = consumer.watch([manual.trigger]);
    await consumer.consume();
    const before = consumeRequests(browser);

    await browser.client.add.mutate({ text: 'Triggered.' });
    manual.fire();
    await vi.waitFor(() => expect(texts(list)).toEqual(['Triggered.']));
    expect(consumeRequests(browser)).toBe(before + 1);
    stop();
  });

  it('subscribes the triggers once for several watchers, and stops them when the last stops', async () => {
    const browser = await browserOfNewApp();
    const list = new MessageList();
    const consumer = new MessageConsumer(browser.client, { receive: into(list) });
    const focus = manualTrigger();
    const online = manualTrigger();

    const stopFirst = consumer.watch([focus.trigger, online.trigger]);
    const stopSecond = consumer.watch([focus.trigger, online.trigger]);
    expect(focus.state).toEqual({ subscribed: 1, unsubscribed: 0 });
    expect(online.state).toEqual({ subscribed: 1, unsubscribed: 0 });

    stopFirst();
    expect(focus.state).toEqual({ subscribed: 1, unsubscribed: 0 });
    await consumer.consume();
    await browser.client.add.mutate({ text: 'Still watched.' });
    focus.fire();
    await vi.waitFor(() => expect(texts(list)).toEqual(['Still watched.']));

    stopSecond();
    expect(focus.state).toEqual({ subscribed: 1, unsubscribed: 1 });
    expect(online.state).toEqual({ subscribed: 1, unsubscribed: 1 });

    // Watching again after everyone stopped subscribes afresh.
    const stopAgain = consumer.watch([focus.trigger]);
    expect(focus.state).toEqual({ subscribed: 2, unsubscribed: 1 });
    stopAgain();
    expect(focus.state).toEqual({ subscribed: 2, unsubscribed: 2 });
    await consumer.consume();
  });

  it('takes a second stop of the same watch as a no-op', async () => {
    const browser = await browserOfNewApp();
    const consumer = new MessageConsumer(browser.client, { receive: into(new MessageList()) });
    const manual = manualTrigger();

    const stopFirst = consumer.watch([manual.trigger]);
    const stopSecond = consumer.watch([manual.trigger]);
    stopFirst();
    stopFirst();
    // The second watcher still watches: its triggers stay subscribed.
    expect(manual.state).toEqual({ subscribed: 1, unsubscribed: 0 });

    stopSecond();
    stopSecond();
    expect(manual.state).toEqual({ subscribed: 1, unsubscribed: 1 });
    await consumer.consume();
  });
});
