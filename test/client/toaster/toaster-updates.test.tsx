import '../../fixtures/dom.js';
import { act, cleanup, within } from '@testing-library/react';
import { toast } from 'sonner';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { messagesFor } from '../../../client/trpc/messages-for.js';
import { startToastAppForFile } from '../../fixtures/toast-app.js';
import {
  messageText,
  pumpUntil,
  quiet,
  renderToaster,
  settle,
  toastElements,
  toastShowing,
  toastWith,
} from '../../fixtures/toaster-page.js';

const server = startToastAppForFile();
afterEach(() => {
  cleanup();
  // sonner keeps its toasts in a module-wide store and replays the live ones to the next Toaster.
  toast.dismiss();
});

/** The count badge of a toast, if it shows one. */
const badgeOf = (toastElement: HTMLElement) => toastElement.querySelector('[data-count]');

describe.each([
  { name: 'with messagesLink', link: true },
  { name: 'without messagesLink', link: false },
])('repeats and keys in the Toaster, $name', ({ link }) => {
  it('shows identical messages as one toast with a visible, accessible count, updated in place', async () => {
    const { client, sameBrowser } = server().browser({ link });
    await sameBrowser.repeat.mutate({ text: 'Saved.', times: 2 });
    renderToaster(client);
    const saved = await toastWith('Saved.');
    expect(badgeOf(saved)?.textContent).toBe('×2 (2 times)');

    await act(() => client.repeat.mutate({ text: 'Saved.', times: 1 }));
    await quiet(client);

    expect(toastElements()).toEqual([saved]);
    const badge = badgeOf(saved);
    // Seen: "×3"; heard: "3 times" (the sign is hidden from screen readers).
    expect(within(saved).getByText('×3').getAttribute('aria-hidden')).toBe('true');
    expect(within(saved).getByText('(3 times)', { exact: false })).toBeTruthy();
    expect(badge?.textContent).toBe('×3 (3 times)');
    expect(toast.getToasts()).toHaveLength(1);
  });

  it('shows a message with a key in the place of the toast with that key', async () => {
    const { client } = server().browser({ link });
    renderToaster(client);
    await act(() => client.progress.mutate({ key: 'export', steps: ['Export 40%…'] }));
    await quiet(client);
    const progress = await toastWith('Export 40%…');

    await act(() => client.progress.mutate({ key: 'export', steps: ['Export ready.'] }));
    await quiet(client);

    expect(await toastWith('Export ready.')).toBe(progress);
    expect(toastElements().map(messageText)).toEqual(['Export ready.']);
    expect(badgeOf(progress)).toBeNull();
  });

  it('shows only the last message of a key that one consume brings ten of', async () => {
    const { client, sameBrowser } = server().browser({ link });
    const steps = Array.from({ length: 10 }, (_, i) => `Export ${(i + 1) * 10}%…`);
    await sameBrowser.progress.mutate({ key: 'export', steps });
    renderToaster(client);

    await toastWith('Export 100%…');
    await quiet(client);
    expect(toastElements().map(messageText)).toEqual(['Export 100%…']);
  });
});

describe('the count of a repeated message', () => {
  it('is said in the page’s language with countLabel', async () => {
    const { client, sameBrowser } = server().browser();
    await sameBrowser.repeat.mutate({ text: 'Enregistré.', times: 2 });
    renderToaster(client, { countLabel: (count) => `${count} fois` });

    expect(badgeOf(await toastWith('Enregistré.'))?.textContent).toBe('×2 (2 fois)');
  });
});

describe('the timer of a toast that updates', () => {
  it('starts again when a repeat arrives', async () => {
    // The toasts' clock is the test's: it moves only when told, however slow the machine is.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const { client } = server().browser();
      renderToaster(client, { durations: { success: 1000 } });
      await settle(client.repeat.mutate({ text: 'Again.', times: 1 }));
      const again = await pumpUntil(() => toastShowing('Again.'));
      act(() => vi.advanceTimersByTime(500));

      await settle(client.repeat.mutate({ text: 'Again.', times: 1 }));
      await pumpUntil(() => (badgeOf(again)?.textContent === '×2 (2 times)' ? true : undefined));
      act(() => vi.advanceTimersByTime(600));

      // 1100 ms after it first showed, past its 1000: still there, not leaving, as its timer
      // restarted with the repeat.
      expect(again.dataset.removed).toBe('false');
      act(() => vi.advanceTimersByTime(400));
      // Its 1000 ms since the repeat are over: it leaves, and is gone once it has slid out.
      expect(again.dataset.removed).toBe('true');
      act(() => vi.advanceTimersByTime(200));
      expect(toastElements()).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('acknowledgements of repeats and replaced messages (messagesLink)', () => {
  it('acknowledges every message a toast stood for once it is on screen: none comes again', async () => {
    const { client, sameBrowser, held } = server().browser();
    await sameBrowser.repeat.mutate({ text: 'Saved.', times: 3 });
    await sameBrowser.progress.mutate({ key: 'export', steps: ['Export 10%…', 'Export 20%…'] });
    renderToaster(client);
    await toastWith('Export 20%…');
    expect((await held()).sort()).toEqual(
      ['Export 10%…', 'Export 20%…', 'Saved.', 'Saved.', 'Saved.'].sort(),
    );

    // The next request of the page carries the acknowledgements.
    await act(() => client.recipient.query());

    expect(await held()).toEqual([]);
    expect(
      messagesFor(client)
        .list.getSnapshot()
        .map((m) => m.ids.length),
    ).toEqual([3, 2]);
  });
});
