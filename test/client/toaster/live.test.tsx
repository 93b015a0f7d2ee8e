import '../../fixtures/dom.js';
import { act, cleanup, waitFor } from '@testing-library/react';
import { toast } from 'sonner';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Toaster } from '../../../client/toaster/toaster.js';
import { recipientKey } from '../../../server/storage/backend.js';
import { fallbackStorage } from '../../../server/storage/fallback-storage.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { ControlledStore } from '../../fixtures/controlled-store.js';
import {
  consumeRequests,
  findToast,
  integrations,
  type ReactApp,
  renderApp,
  toastTexts,
} from '../../fixtures/react-app.js';
import { type RunningApp, startApp } from '../../fixtures/trpc-server.js';
import { failOnUnhandledRejections } from '../../fixtures/unhandled-rejections.js';

failOnUnhandledRejections();

const secret = 'client-live-test-secret-0123456789abcdef';

let server: RunningApp;
let store: ControlledStore;
let fallbackServer: RunningApp;
beforeAll(async () => {
  store = new ControlledStore();
  server = await startApp('standalone', { storage: serverStorage({ secret, store }) });
  fallbackServer = await startApp('standalone', { storage: fallbackStorage({ secret }) });
});
afterAll(() => Promise.all([server.close(), fallbackServer.close()]));
afterEach(async () => {
  // Unmounting stops the Toaster's live stream.
  cleanup();
  // sonner keeps its toasts in a module-wide store and replays the live ones to the next Toaster.
  toast.dismiss();
  // The next test starts with no stream open on the shared store.
  await waitFor(() => expect(store.watchedKeys()).toEqual([]));
});

/**
 * Renders a live Toaster for a browser that has been on the site before (so it has a session),
 * and waits until its stream watches the browser's messages; the Toaster's first consume has left
 * by then (and, as the stream starts only after it, been answered). Returns the recipient.
 */
async function mountLive(app: ReactApp) {
  const recipient = await app.sameBrowser.recipient.query();
  const rendered = renderApp(app, <Toaster client={app.client} live />);
  await waitFor(() => expect(store.watchers(recipientKey(recipient))).toBe(1));
  expect(consumeRequests(app)).toBe(1);
  return { ...rendered, recipient };
}

describe.each(integrations)('<Toaster live /> with $name', (integration) => {
  let app: ReactApp;
  beforeEach(() => {
    app = integration.create(server.url);
  });

  it('shows a message sent with messages.to() from a job, with no mutation: the signal makes it consume once', async ({
    annotate,
  }) => {
    const { recipient } = await mountLive(app);

    const sentAt = performance.now();
    await server.messages.to(recipient).success('Your export is ready.');
    await findToast('Your export is ready.');

    const latency = performance.now() - sentAt;
    // Reported, not asserted: a loaded machine takes longer.
    await annotate(`send to toast: ${latency.toFixed(0)} ms`);
    expect(consumeRequests(app)).toBe(2);
  });

  it('consumes once after a mutation that adds a message, for its live signal, and not for the mutation', async () => {
    const { mutations } = await mountLive(app);

    act(() => mutations().add({ text: 'Task saved.' }));
    await findToast('Task saved.');
    await waitFor(() => expect(app.queryClient.isMutating()).toBe(0));
    // A consume the settled mutation asked for would leave before (or with) this call.
    await app.client.ping.query();

    expect(consumeRequests(app)).toBe(2);
    expect(toastTexts()).toEqual(['Task saved.']);
  });

  // The stream starts once the first consume is answered: on a first visit that consume gives
  // the browser its session, and a stream opened alongside would start one of its own, which the
  // consume's cookie then replaces. Made deterministic by holding the consume's take.
  it('watches the session the browser keeps on a first visit, which the first consume gives it', async () => {
    const release = store.holdHandOuts();
    const takes = store.handOuts.length;
    try {
      renderApp(app, <Toaster client={app.client} live />);
      // The first consume reached the server, with no cookie: it is starting the session.
      await waitFor(() => expect(store.handOuts).toHaveLength(takes + 1));
      // A stream asked for before the consume is answered would be open by now, in a session
      // of its own that the consume's cookie then replaces.
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      release();
    }
    await waitFor(() => expect(store.watchedKeys()).toHaveLength(1));
    const recipient = await app.sameBrowser.recipient.query();
    expect(store.watchedKeys()).toEqual([recipientKey(recipient)]);

    await server.messages.to(recipient).success('Welcome.');

    await findToast('Welcome.');
  });
});

describe('<Toaster live /> when the browser’s session is rotated', () => {
  // The server ends a stream whose session is rotated (sign-in, sign-out); the client opens it
  // again with the browser's new cookie, once the request that rotated it has landed.
  it.each(integrations)(
    'watches the new session, and shows what is sent to it ($name)',
    async (integration) => {
      const app = integration.create(server.url);
      const { recipient } = await mountLive(app);

      await app.client.rotate.mutate();

      const rotated = await app.sameBrowser.recipient.query();
      expect(rotated).not.toEqual(recipient);
      await waitFor(() => expect(store.watchedKeys()).toEqual([recipientKey(rotated)]));
      await server.messages.to(rotated).success('After the rotation.');
      await findToast('After the rotation.');
    },
  );
});

describe('<Toaster live /> with fallbackStorage', () => {
  // A message that fits the cookie never reaches the store, so the stream cannot signal it: the
  // server says so in its consume answers, and the client consumes after each mutation again.
  it("shows a mutation's message kept in the cookie, with one consume after the mutation", async () => {
    const app = integrations[0]?.create(fallbackServer.url);
    if (app === undefined) throw new Error('no React integration');
    await app.sameBrowser.recipient.query();
    const { mutations } = renderApp(app, <Toaster client={app.client} live />);
    await waitFor(() => expect(consumeRequests(app)).toBe(1));

    act(() => mutations().add({ text: 'Task saved.' }));

    await findToast('Task saved.');
    expect(consumeRequests(app)).toBe(2);
  });
});
