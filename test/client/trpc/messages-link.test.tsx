import '../../fixtures/dom.js';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { toast } from 'sonner';
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { MessagesClient } from '../../../client/core/messages-client.js';
import { useMessages } from '../../../client/react/use-messages.js';
import { Toaster } from '../../../client/toaster/toaster.js';
import { messagesFor } from '../../../client/trpc/messages-for.js';
import { messagesLink } from '../../../client/trpc/messages-link.js';
import { recipientKey } from '../../../server/storage/backend.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { MemoryStore } from '../../../server/stores/memory/memory-store.js';
import {
  findToast,
  integrations,
  type ReactApp,
  renderApp,
  settled,
  toastTexts,
} from '../../fixtures/react-app.js';
import { texts } from '../../fixtures/texts.js';
import type { TestRouter } from '../../fixtures/trpc-app.js';
import { type RunningApp, startApp } from '../../fixtures/trpc-server.js';
import { failOnUnhandledRejections } from '../../fixtures/unhandled-rejections.js';

failOnUnhandledRejections();

const secret = 'client-link-test-secret-0123456789abcdef';
// Short, so a test sees the acknowledgement sent on a request of its own (at half the lease).
const LEASE_MS = 400;

let server: RunningApp;
const store = new MemoryStore();
// Long, so that nothing but the page's next request can carry an acknowledgement: its own
// request comes at half the lease, which a loaded machine can reach before a test looks. Tests
// that pin which requests a page made, or which one acknowledged, use this server.
const LONG_LEASE_MS = 60_000;
let patientServer: RunningApp;
const patientStore = new MemoryStore();
beforeAll(async () => {
  server = await startApp('standalone', {
    storage: serverStorage({ secret, store }),
    leaseMs: LEASE_MS,
  });
  patientServer = await startApp('standalone', {
    storage: serverStorage({ secret, store: patientStore }),
    leaseMs: LONG_LEASE_MS,
  });
});
afterAll(async () => {
  await server.close();
  await patientServer.close();
});
afterEach(() => {
  cleanup();
  // sonner keeps its toasts in a module-wide store and replays the live ones to the next Toaster.
  toast.dismiss();
});

/** What the server holds for the app's browser: messages not yet acknowledged. */
async function held(app: ReactApp, from: MemoryStore = store): Promise<string[]> {
  const recipient = await app.sameBrowser.recipient.query();
  return texts(await from.peek(recipientKey(recipient)));
}

/** The paths of the app's requests since `from`, each a comma-joined batch. */
const pathsSince = (app: ReactApp, from: number) =>
  app.requests.slice(from).map((url) => new URL(url).pathname.slice(1));

/** The messages useMessages gives, as text: what a headless component would show. */
function MessageTexts({ client }: { readonly client: MessagesClient }) {
  const { messages } = useMessages(client);
  return <output data-testid="messages">{messages.map((m) => m.message).join('|')}</output>;
}

describe('messagesLink’s options', () => {
  it('are typed as the wrapped link’s: an inline fetch is checked as that link checks it', () => {
    // Never called: the compiler checks them.
    const written = () =>
      createTRPCClient<TestRouter>({
        links: [
          messagesLink(httpBatchLink, {
            url: '/trpc',
            fetch: (input, init) => fetch(input, init),
            headers: () => ({ authorization: 'Bearer token' }),
          }),
        ],
      });
    const mistaken = () =>
      createTRPCClient<TestRouter>({
        // @ts-expect-error a url is a string or a URL
        links: [messagesLink(httpBatchLink, { url: 42 })],
      });
    expectTypeOf(written).toBeFunction();
    expectTypeOf(mistaken).toBeFunction();
  });
});

describe.each(integrations)('messagesLink with $name', (integration) => {
  it.each(['httpLink', 'httpBatchLink'] as const)(
    'shows a mutation’s message after one HTTP request, its own, over %s: no consume follows',
    async (link) => {
      const app = integration.create(patientServer.url, { messagesLink: link });
      const { mutations } = renderApp(app, <Toaster client={app.client} />);
      await settled(app);
      const before = app.requests.length;

      act(() => mutations().add({ text: 'Saved inline.' }));
      await findToast('Saved inline.');
      // Anything the mutation asked for left before this.
      await app.client.ping.query();
      expect(pathsSince(app, before)).toEqual(['add', 'ping']);
    },
  );

  it('acknowledges what it showed on the next request, and the server lets it go', async () => {
    const app = integration.create(patientServer.url, { messagesLink: 'httpBatchLink' });
    const { mutations } = renderApp(app, <Toaster client={app.client} />);
    await settled(app);
    act(() => mutations().add({ text: 'Acknowledge me.' }));
    await findToast('Acknowledge me.');
    expect(await held(app, patientStore)).toEqual(['Acknowledge me.']);

    await app.client.ping.query();
    expect(await held(app, patientStore)).toEqual([]);
  });

  it('acknowledges on a request of its own, within half the lease, when no other goes out', async () => {
    const app = integration.create(server.url, { messagesLink: 'httpBatchLink' });
    const { mutations } = renderApp(app, <Toaster client={app.client} />);
    await settled(app);
    const before = app.requests.length;
    act(() => mutations().add({ text: 'Idle page.' }));
    await findToast('Idle page.');

    await waitFor(() => expect(pathsSince(app, before)).toContain('messages.ack'));
    expect(await held(app)).toEqual([]);
  });

  it('sends what it has not acknowledged as the page goes away', async () => {
    const app = integration.create(patientServer.url, { messagesLink: 'httpBatchLink' });
    const { mutations } = renderApp(app, <Toaster client={app.client} />);
    await settled(app);
    const before = app.requests.length;
    act(() => mutations().add({ text: 'Leaving.' }));
    await findToast('Leaving.');

    window.dispatchEvent(new Event('pagehide'));
    await waitFor(() => expect(pathsSince(app, before)).toContain('messages.ack'));
    await waitFor(async () => expect(await held(app, patientStore)).toEqual([]));
  });

  it('consumes after a streamed mutation, whose response left before its messages existed', async () => {
    const app = integration.create(patientServer.url, { messagesLink: 'httpBatchStreamLink' });
    const { mutations } = renderApp(app, <Toaster client={app.client} />);
    await settled(app);
    const before = app.requests.length;

    act(() => mutations().add({ text: 'Streamed.' }));
    await findToast('Streamed.');
    await app.client.ping.query();
    expect(pathsSince(app, before)).toEqual(['add', 'messages.consume', 'ping']);
    expect(toastTexts()).toEqual(['Streamed.']);
  });

  it('lists a message once when a consume and a response both hand it over', async () => {
    const app = integration.create(server.url, { messagesLink: 'httpBatchLink' });
    const { mutations } = renderApp(app, <MessageTexts client={app.client} />);
    await settled(app);
    await app.sameBrowser.add.mutate({ text: 'Waiting.' });
    // One batch: the mutation's response carries 'Waiting.', and so does the consume's body.
    await act(async () => {
      mutations().add({ text: 'Mine.' });
      await messagesFor(app.client).consumer.consume();
    });
    await waitFor(() => expect(screen.getByTestId('messages').textContent).toContain('Mine.'));
    await settled(app);
    expect(screen.getByTestId('messages').textContent).toBe('Waiting.|Mine.');
  });

  it('keeps what a response carried before anything rendered, and shows it on mount, once', async () => {
    const app = integration.create(server.url, { messagesLink: 'httpBatchLink' });
    await app.client.messages.consume.query(); // a session, as a page's first consume gives it
    await app.client.add.mutate({ text: 'Before the Toaster.' });
    // Not shown yet: not acknowledged either, so a reload now would bring it again.
    await app.client.ping.query();
    expect(await held(app)).toEqual(['Before the Toaster.']);

    render(
      <app.Providers>
        <Toaster client={app.client} />
      </app.Providers>,
    );
    await findToast('Before the Toaster.');
    await app.client.ping.query();
    expect(await held(app)).toEqual([]);
    expect(toastTexts()).toEqual(['Before the Toaster.']);
  });
});
