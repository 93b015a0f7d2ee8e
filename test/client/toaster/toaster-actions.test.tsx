import '../../fixtures/dom.js';
import { act, cleanup, fireEvent, waitFor, within } from '@testing-library/react';
import { TRPCClientError } from '@trpc/client';
import { toast } from 'sonner';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { messagesFor } from '../../../client/trpc/messages-for.js';
import { parseClientHeader } from '../../../shared/delivery.js';
import { WARNING } from '../../../shared/levels.js';
import type { Message, MessageAction } from '../../../shared/message.js';
import { startToastAppForFile, type ToastRouter } from '../../fixtures/toast-app.js';
import { quiet, renderToaster, toastElements, toastWith } from '../../fixtures/toaster-page.js';

const server = startToastAppForFile();
afterEach(() => {
  cleanup();
  toast.dismiss();
  vi.restoreAllMocks();
});

/** The action button of a toast, if it offers one. */
const undoOf = (toastElement: HTMLElement) =>
  within(toastElement).queryByRole('button', { name: 'Undo' });

describe("a message's action in the Toaster", () => {
  it('calls the mutation with its claim in the client header, closes the toast and shows the call’s messages', async () => {
    const app = server();
    const { client } = app.browser();
    renderToaster(client);
    await act(() => client.remove.mutate({ id: 7 }));
    const deleted = await toastWith('Task 7 deleted.');
    const { token } = messagesFor(client).list.getSnapshot()[0]?.action ?? {};
    const from = app.clientHeaders.length;

    fireEvent.click(undoOf(deleted) as HTMLElement);

    // Its message came on its own response (messagesLink): no consume followed.
    await toastWith('Task 7 restored.');
    expect(app.restored).toEqual([7]);
    const sent = app.clientHeaders.slice(from).map(parseClientHeader);
    expect(sent.map((header) => header?.actions)).toEqual([[{ path: 'tasks.restore', token }]]);
    await waitFor(() => expect(toastElements()).toHaveLength(1));
    expect(
      messagesFor(client)
        .list.getSnapshot()
        .map((m) => m.message),
    ).toEqual(['Task 7 restored.']);
  });

  it('sends the claim with the request that carries the call, not with others meanwhile', async () => {
    const app = server();
    const { client } = app.browser();
    renderToaster(client);
    await act(() => client.remove.mutate({ id: 8 }));
    const deleted = await toastWith('Task 8 deleted.');
    app.slowTasks.add(8);
    const from = app.clientHeaders.length;

    fireEvent.click(undoOf(deleted) as HTMLElement);
    await waitFor(() => expect(app.clientHeaders).toHaveLength(from + 1));
    // A request of the page while the call is in flight.
    await act(() => client.recipient.query());
    await toastWith('Task 8 restored.');

    const claims = app.clientHeaders.slice(from).map((h) => parseClientHeader(h)?.actions);
    expect(claims.map((claim) => claim?.map((c) => c.path))).toEqual([
      ['tasks.restore'],
      undefined,
    ]);
    expect(app.restored).toContain(8);
  });

  it('hides the button once the action expires, leaving the toast', async () => {
    const { client } = server().browser();
    renderToaster(client);
    await act(() => client.remove.mutate({ id: 9, expiresInMs: 400 }));
    const deleted = await toastWith('Task 9 deleted.');
    expect(undoOf(deleted)).not.toBeNull();

    await waitFor(() => expect(undoOf(deleted)).toBeNull(), { timeout: 2000 });
    expect(toastElements()).toEqual([deleted]);
  });

  it('offers no button for an action that expired before its message was shown', async () => {
    const { client } = server().browser();
    messagesFor(client).list.push([undoable('expired-1', 'Task 10 deleted.', { expiresAt: 1 })]);
    renderToaster(client);

    expect(undoOf(await toastWith('Task 10 deleted.'))).toBeNull();
  });

  it('tells onActionError of a failed call, with its message', async () => {
    const app = server();
    const { client } = app.browser();
    const onActionError = vi.fn();
    // A visitor with a session, whose claim the server did not sign: the call is refused.
    await client.recipient.query();
    messagesFor(client).list.push([undoable('forged-1', 'Task 11 deleted.')]);
    renderToaster(client, { onActionError });

    fireEvent.click(undoOf(await toastWith('Task 11 deleted.')) as HTMLElement);

    await waitFor(() => expect(onActionError).toHaveBeenCalledTimes(1));
    const [error, message] = onActionError.mock.calls[0] ?? [];
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<ToastRouter>).data?.code).toBe('BAD_REQUEST');
    expect(message).toMatchObject({ id: 'forged-1', message: 'Task 11 deleted.' });
    expect(app.restored).not.toContain(11);
  });

  it('logs a failed call to the console by default', async () => {
    const { client } = server().browser();
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    messagesFor(client).list.push([undoable('forged-2', 'Task 12 deleted.')]);
    renderToaster(client);

    fireEvent.click(undoOf(await toastWith('Task 12 deleted.')) as HTMLElement);

    await waitFor(() =>
      expect(logged).toHaveBeenCalledWith(
        'trpc-messages:',
        expect.any(TRPCClientError),
        expect.objectContaining({ id: 'forged-2' }),
      ),
    );
  });

  it('calls the mutation without messagesLink after a warning, and shows its messages by a consume', async () => {
    const app = server();
    const { client } = app.browser({ link: false });
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    renderToaster(client);
    await act(() => client.remove.mutate({ id: 14, plain: true }));
    await quiet(client);

    fireEvent.click(undoOf(await toastWith('Task 14 deleted.')) as HTMLElement);

    await toastWith('Task 14 reopened.');
    expect(app.restored).toContain(14);
    expect(warned).toHaveBeenCalledWith(expect.stringContaining('without its claim'));
  });

  it('has its call refused by requireAction without messagesLink, which sends no claim', async () => {
    const { client } = server().browser({ link: false });
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const onActionError = vi.fn();
    renderToaster(client, { onActionError });
    await act(() => client.remove.mutate({ id: 15 }));
    await quiet(client);

    fireEvent.click(undoOf(await toastWith('Task 15 deleted.')) as HTMLElement);

    await waitFor(() => expect(onActionError).toHaveBeenCalledTimes(1));
    const [error] = onActionError.mock.calls[0] ?? [];
    expect((error as TRPCClientError<ToastRouter>).data?.code).toBe('FORBIDDEN');
    expect(server().restored).not.toContain(15);
  });
});

/** A message with an Undo whose token the server never signed (unless `action` says). */
function undoable(id: string, text: string, action: Partial<MessageAction> = {}): Message {
  return {
    id,
    level: WARNING,
    message: text,
    extraTags: '',
    levelTag: 'warning',
    tags: 'warning',
    action: {
      label: 'Undo',
      path: 'tasks.restore',
      input: { id: 0 },
      expiresAt: 0,
      token: `0.${'B'.repeat(16)}.${'A'.repeat(43)}`,
      ...action,
    },
  };
}
