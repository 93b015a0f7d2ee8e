import '../../fixtures/dom.js';
import { focusManager, onlineManager } from '@tanstack/react-query';
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MessagesClient } from '../../../client/core/messages-client.js';
import { useMessages } from '../../../client/react/use-messages.js';
import { messagesFor } from '../../../client/trpc/messages-for.js';
import { SUCCESS } from '../../../shared/levels.js';
import type { MessageAction } from '../../../shared/message.js';
import {
  consumeRequests,
  integrations,
  type ReactApp,
  renderApp,
  settled,
} from '../../fixtures/react-app.js';
import { startToastAppForFile } from '../../fixtures/toast-app.js';
import { renderPage } from '../../fixtures/toaster-page.js';
import { startAppForFile } from '../../fixtures/trpc-server.js';

const server = startAppForFile();
afterEach(() => {
  cleanup();
  // Back to what the managers read from the window (visible, online).
  focusManager.setFocused(undefined);
  onlineManager.setOnline(true);
});

const pause = (ms: number) => act(() => new Promise((resolve) => setTimeout(resolve, ms)));

/** A headless message list, as an app would write one with useMessages. */
function Messages({ client, name = 'messages' }: { client: MessagesClient; name?: string }) {
  const { messages, dismiss } = useMessages(client);
  return (
    <ul aria-label={name}>
      {messages.map((m) => (
        <li key={m.id} className={m.tags}>
          {m.message}
          <button type="button" onClick={() => dismiss(m.id)}>
            Dismiss {m.message}
          </button>
        </li>
      ))}
    </ul>
  );
}

/** The texts the list called `name` shows. */
const shown = (name = 'messages') =>
  within(screen.getByRole('list', { name }))
    .queryAllByRole('listitem')
    .map((li) => li.firstChild?.textContent);

describe.each(integrations)('useMessages with $name', (integration) => {
  // A new browser per test: its own cookies, tRPC client (so its own list) and query client.
  let app: ReactApp;
  beforeEach(() => {
    app = integration.create(server().url);
  });

  it('gives the messages waiting on mount, oldest first, with their tags', async () => {
    await app.sameBrowser.add.mutate({ text: 'First.' });
    await app.sameBrowser.add.mutate({ text: 'Second.', level: 35 });
    renderApp(app, <Messages client={app.client} />);

    await waitFor(() => expect(shown()).toEqual(['First.', 'Second.']));
    expect(screen.getAllByRole('listitem').map((li) => li.className)).toEqual([
      'success',
      'notice',
    ]);
  });

  it('gives the messages queued in the list before it mounted', async () => {
    messagesFor(app.client).list.push([
      {
        id: 'queued-1',
        level: SUCCESS,
        message: 'Queued.',
        extraTags: '',
        levelTag: 'success',
        tags: 'success',
      },
    ]);
    renderApp(app, <Messages client={app.client} />);
    expect(shown()).toEqual(['Queued.']);
    await settled(app);
    expect(shown()).toEqual(['Queued.']);
  });

  it('dismisses a message for good', async () => {
    await app.sameBrowser.add.mutate({ text: 'Dismiss me.' });
    await app.sameBrowser.add.mutate({ text: 'Keep me.' });
    renderApp(app, <Messages client={app.client} />);
    await waitFor(() => expect(shown()).toEqual(['Dismiss me.', 'Keep me.']));

    fireEvent.click(screen.getByRole('button', { name: 'Dismiss Dismiss me.' }));

    expect(shown()).toEqual(['Keep me.']);
    await settled(app);
    expect(shown()).toEqual(['Keep me.']);
  });

  it('gives the message of a mutation once it settles, success or error', async () => {
    const { mutations } = renderApp(app, <Messages client={app.client} />);
    await settled(app);

    act(() => mutations().add({ text: 'Saved.' }));
    await waitFor(() => expect(shown()).toEqual(['Saved.']));
    act(() => mutations().failAfterAdding());
    await waitFor(() => expect(shown()).toEqual(['Saved.', 'Failed, but told.']));
  });

  it('fetches now with the consume it returns', async () => {
    let consume: (() => Promise<void>) | undefined;
    function Consumer() {
      ({ consume } = useMessages(app.client));
      return null;
    }
    renderApp(
      app,
      <>
        <Consumer />
        <Messages client={app.client} />
      </>,
    );
    await settled(app);
    await app.sameBrowser.add.mutate({ text: 'Fetched by hand.' });
    const before = consumeRequests(app);

    await act(() => consume?.());

    expect(shown()).toEqual(['Fetched by hand.']);
    expect(consumeRequests(app)).toBe(before + 1);
  });

  it('gives each message once under StrictMode', async () => {
    await app.sameBrowser.add.mutate({ text: 'Once.' });
    const { mutations } = renderApp(app, <Messages client={app.client} />, { strict: true });
    await waitFor(() => expect(shown()).toEqual(['Once.']));
    await settled(app);

    act(() => mutations().add({ text: 'Also once.' }));
    await waitFor(() => expect(shown()).toEqual(['Once.', 'Also once.']));
    await settled(app);
    expect(shown()).toEqual(['Once.', 'Also once.']);
  });

  it('shares one list between components on one client, fetched once per event', async () => {
    await app.sameBrowser.add.mutate({ text: 'On mount.' });
    const { mutations } = renderApp(
      app,
      <>
        <Messages client={app.client} name="header" />
        <Messages client={app.client} name="sidebar" />
      </>,
    );
    await waitFor(() => expect(shown('header')).toEqual(['On mount.']));
    expect(shown('sidebar')).toEqual(['On mount.']);
    // Each mount consumes; the second waits for the first, so two at most.
    await pause(50);
    expect(consumeRequests(app)).toBeLessThanOrEqual(2);

    await settled(app);
    const beforeMutation = consumeRequests(app);
    act(() => mutations().add({ text: 'After a mutation.' }));
    await waitFor(() => expect(shown('sidebar')).toEqual(['On mount.', 'After a mutation.']));
    expect(shown('header')).toEqual(['On mount.', 'After a mutation.']);
    await pause(50);
    expect(consumeRequests(app)).toBe(beforeMutation + 1);

    const beforeFocus = consumeRequests(app);
    act(() => focusManager.setFocused(false));
    await app.sameBrowser.add.mutate({ text: 'After focus.' });
    act(() => focusManager.setFocused(true));
    await waitFor(() => expect(shown('header')).toHaveLength(3));
    await pause(50);
    expect(consumeRequests(app)).toBe(beforeFocus + 1);
    expect(shown('sidebar')).toEqual(['On mount.', 'After a mutation.', 'After focus.']);
  });

  it('consumes when the window regains focus', async () => {
    renderApp(app, <Messages client={app.client} />);
    await settled(app);
    act(() => focusManager.setFocused(false));
    await app.sameBrowser.add.mutate({ text: 'While away.' });
    await pause(20);
    expect(shown()).toEqual([]);

    act(() => focusManager.setFocused(true));

    await waitFor(() => expect(shown()).toEqual(['While away.']));
  });

  it('consumes when the page becomes visible again', async () => {
    renderApp(app, <Messages client={app.client} />);
    await settled(app);
    await app.sameBrowser.add.mutate({ text: 'While hidden.' });
    const before = consumeRequests(app);

    act(() => {
      document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    });

    await waitFor(() => expect(shown()).toEqual(['While hidden.']));
    expect(consumeRequests(app)).toBe(before + 1);
  });

  it('consumes when the browser comes back online', async () => {
    renderApp(app, <Messages client={app.client} />);
    await settled(app);
    act(() => onlineManager.setOnline(false));
    await app.sameBrowser.add.mutate({ text: 'While offline.' });
    await pause(20);
    expect(shown()).toEqual([]);

    act(() => onlineManager.setOnline(true));

    await waitFor(() => expect(shown()).toEqual(['While offline.']));
  });

  it('stops consuming on events once every component using it unmounted', async () => {
    const { unmount } = renderApp(
      app,
      <>
        <Messages client={app.client} name="one" />
        <Messages client={app.client} name="two" />
      </>,
    );
    await settled(app);
    unmount();
    const before = consumeRequests(app);

    focusManager.setFocused(false);
    focusManager.setFocused(true);
    onlineManager.setOnline(false);
    onlineManager.setOnline(true);
    await pause(50);

    expect(consumeRequests(app)).toBe(before);
  });
});

describe('useMessages with repeats, keys and actions', () => {
  const toastApp = startToastAppForFile();

  /** A headless list that shows counts and offers actions, as an app would write one. */
  function Entries({ client }: { client: MessagesClient }) {
    const { messages, runAction } = useMessages(client);
    return (
      <ul aria-label="entries">
        {messages.map((m) => (
          <li key={m.id}>
            {m.count > 1 ? `${m.message} (${m.count})` : m.message}
            {m.action && (
              <button type="button" onClick={() => void runAction(m.action as MessageAction)}>
                {m.action.label}
              </button>
            )}
          </li>
        ))}
      </ul>
    );
  }

  it('gives repeats as one entry with a count, and acknowledges each message once rendered', async () => {
    const { client, sameBrowser, held } = toastApp().browser();
    await sameBrowser.repeat.mutate({ text: 'Saved.', times: 3 });
    renderPage(<Entries client={client} />);

    await waitFor(() => expect(shown('entries')).toEqual(['Saved. (3)']));
    await act(() => client.recipient.query());
    expect(await held()).toEqual([]);
  });

  it('gives a keyed message in the place of the entry with its key', async () => {
    const { client } = toastApp().browser();
    renderPage(<Entries client={client} />);
    await act(() => client.progress.mutate({ key: 'job', steps: ['Step 1…'] }));
    await waitFor(() => expect(shown('entries')).toEqual(['Step 1…']));

    await act(() => client.progress.mutate({ key: 'job', steps: ['Step 2…', 'Done.'] }));

    await waitFor(() => expect(shown('entries')).toEqual(['Done.']));
  });

  it('runs a message’s action with runAction, its claim sent, its messages given', async () => {
    const app = toastApp();
    const { client } = app.browser();
    renderPage(<Entries client={client} />);
    await act(() => client.remove.mutate({ id: 21 }));
    await waitFor(() => expect(shown('entries')).toEqual(['Task 21 deleted.']));

    fireEvent.click(screen.getByRole('button', { name: 'Undo' }));

    await waitFor(() =>
      expect(shown('entries')).toEqual(['Task 21 deleted.', 'Task 21 restored.']),
    );
    expect(app.restored).toContain(21);
  });
});
