import '../../fixtures/dom.js';
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { toast } from 'sonner';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MessagesClient } from '../../../client/core/messages-client.js';
import { useMessages } from '../../../client/react/use-messages.js';
import { Toaster } from '../../../client/toaster/toaster.js';
import { messagesFor } from '../../../client/trpc/messages-for.js';
import { INFO } from '../../../shared/levels.js';
import {
  integrations,
  type ReactApp,
  renderApp,
  settled,
  toastTexts,
} from '../../fixtures/react-app.js';
import { startAppForFile } from '../../fixtures/trpc-server.js';

const server = startAppForFile();
afterEach(() => {
  cleanup();
  // sonner keeps its toasts in a module-wide store and replays the live ones to the next Toaster.
  toast.dismiss();
});

/**
 * Durations that keep the toasts on screen for as long as a test counts them: info and success
 * toasts leave after 4 s by default, which a loaded machine can reach between a toast's showing
 * and the count.
 */
const HELD = { info: Number.POSITIVE_INFINITY, success: Number.POSITIVE_INFINITY } as const;

/** Lets sonner render what it was handed (it renders each toast from a timer). */
async function quiet(app: ReactApp): Promise<void> {
  await settled(app);
  await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
}

/** The toast showing `text`, once sonner rendered it. */
function findToast(text: string): Promise<HTMLElement> {
  return waitFor(() => {
    const found = [...document.querySelectorAll<HTMLElement>('[data-sonner-toast]')].find(
      (li) => li.textContent === text,
    );
    if (found === undefined) throw new Error(`no toast shows "${text}"; toasts: ${toastTexts()}`);
    return found;
  });
}

/** The messages useMessages gives, as text: what a headless component would show. */
function MessageTexts({ client }: { readonly client: MessagesClient }) {
  const { messages } = useMessages(client);
  return <output data-testid="messages">{messages.map((m) => m.message).join('|')}</output>;
}
const listed = () => screen.getByTestId('messages').textContent;

describe.each(integrations)('<Toaster /> with $name', (integration) => {
  // A new browser per test: its own cookies, tRPC client (so its own list) and query client.
  let app: ReactApp;
  beforeEach(() => {
    app = integration.create(server().url);
  });

  it('shows, on mount, the messages added before it mounted', async () => {
    await app.sameBrowser.add.mutate({ text: 'Welcome back.' });
    renderApp(app, <Toaster client={app.client} />);
    expect((await findToast('Welcome back.')).textContent).toBe('Welcome back.');
  });

  it('shows the messages queued in the list before it mounted', async () => {
    messagesFor(app.client).list.push([
      {
        id: 'queued-1',
        level: INFO,
        message: 'Queued before mount.',
        extraTags: '',
        levelTag: 'info',
        tags: 'info',
      },
    ]);
    renderApp(app, <Toaster client={app.client} />);
    expect((await findToast('Queued before mount.')).getAttribute('data-type')).toBe('info');
  });

  it("shows a mutation's message once it succeeded, its tags as classes", async () => {
    const { mutations } = renderApp(app, <Toaster client={app.client} />);
    await settled(app);

    act(() => mutations().add({ text: 'Task saved.' }));

    const saved = await findToast('Task saved.');
    expect(saved.classList.contains('success')).toBe(true);
    expect(saved.getAttribute('data-type')).toBe('success');
    expect(within(saved).queryByRole('alert')).toBeNull();
  });

  it("shows a failed mutation's error message inside role=alert", async () => {
    const { mutations } = renderApp(app, <Toaster client={app.client} />);
    await settled(app);

    act(() => mutations().failAfterAdding());

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Failed, but told.');
    const failed = alert.closest('[data-sonner-toast]');
    expect(failed?.classList.contains('error')).toBe(true);
    expect(failed?.getAttribute('data-type')).toBe('error');
  });

  it('shows a custom level as the nearest built-in kind, with its own tag as class', async () => {
    const { mutations } = renderApp(app, <Toaster client={app.client} />);
    await settled(app);

    act(() => mutations().add({ text: 'Heads up.', level: 35 }));

    const notice = await findToast('Heads up.');
    expect(notice.classList.contains('notice')).toBe(true);
    expect(notice.getAttribute('data-type')).toBe('warning');
  });

  it('renders markup in a message as text', async () => {
    const markup = '<img src=x onerror=alert(1)>';
    const { mutations } = renderApp(app, <Toaster client={app.client} />);
    await settled(app);

    act(() => mutations().add({ text: markup }));

    expect((await findToast(markup)).textContent).toBe(markup);
    expect(document.querySelector('img')).toBeNull();
  });

  it('shows each message once under StrictMode', async () => {
    await app.sameBrowser.add.mutate({ text: 'From before.' });
    const { mutations } = renderApp(app, <Toaster client={app.client} durations={HELD} />, {
      strict: true,
    });
    await findToast('From before.');
    await settled(app);

    act(() => mutations().add({ text: 'From a mutation.' }));
    await findToast('From a mutation.');
    await quiet(app);

    expect(toastTexts().sort()).toEqual(['From a mutation.', 'From before.']);
  });

  it('shows five concurrent mutations as five toasts, none twice', async () => {
    const { mutations } = renderApp(app, <Toaster client={app.client} durations={HELD} />);
    await settled(app);
    const texts = ['One.', 'Two.', 'Three.', 'Four.', 'Five.'];

    // Separate requests that overlap on the server and finish in another order.
    for (const [i, text] of texts.entries()) {
      act(() => mutations().add({ text, delayMs: 100 - i * 20 }));
      await act(() => new Promise((resolve) => setTimeout(resolve, 5)));
    }

    for (const text of texts) await findToast(text);
    await quiet(app);
    expect(toastTexts().sort()).toEqual([...texts].sort());
  });

  it('takes a toast closed with its close button out of the list useMessages gives', async () => {
    await app.sameBrowser.add.mutate({ text: 'Close me.' });
    await app.sameBrowser.add.mutate({ text: 'Keep me.' });
    renderApp(
      app,
      <>
        <Toaster client={app.client} durations={HELD} />
        <MessageTexts client={app.client} />
      </>,
    );
    const closing = await findToast('Close me.');
    await findToast('Keep me.');
    expect(listed()).toBe('Close me.|Keep me.');

    fireEvent.click(within(closing).getByRole('button', { name: 'Close toast' }));

    expect(listed()).toBe('Keep me.');
    await waitFor(() => expect(toastTexts()).toEqual(['Keep me.']));
    await quiet(app);
    expect(listed()).toBe('Keep me.');
  });

  it('takes a toast that closed by itself out of the list', async () => {
    await app.sameBrowser.add.mutate({ text: 'Brief.' });
    renderApp(
      app,
      <>
        <Toaster client={app.client} durations={{ success: 50 }} />
        <MessageTexts client={app.client} />
      </>,
    );
    await findToast('Brief.');
    await waitFor(() => expect(listed()).toBe(''));
    await waitFor(() => expect(toastTexts()).toEqual([]));
  });

  it('keeps error toasts until dismissed, and takes durations by kind', async () => {
    await app.sameBrowser.add.mutate({ text: 'Saved.' });
    await app.sameBrowser.add.mutate({ text: 'Careful.', level: 30 });
    const { mutations } = renderApp(
      app,
      <Toaster client={app.client} durations={{ success: 60_000 }} />,
    );
    await findToast('Careful.');
    act(() => mutations().failAfterAdding());
    await screen.findByRole('alert');

    // What sonner was handed: the time each toast stays.
    const durations = Object.fromEntries(
      toast
        .getToasts()
        .map((t) => ('type' in t ? [t.type, t.duration] : []))
        .filter((entry) => entry.length > 0),
    );
    expect(durations).toEqual({ success: 60_000, warning: 8000, error: Infinity });
  });
});
