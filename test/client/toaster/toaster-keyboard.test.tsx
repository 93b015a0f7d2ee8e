import '../../fixtures/dom.js';
import { act, cleanup, fireEvent, waitFor, within } from '@testing-library/react';
import { toast } from 'sonner';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Toaster } from '../../../client/toaster/toaster.js';
import { startToastAppForFile } from '../../fixtures/toast-app.js';
import {
  messageText,
  pumpUntil,
  renderPage,
  settle,
  toastElements,
  toastShowing,
  toastWith,
} from '../../fixtures/toaster-page.js';

const server = startToastAppForFile();
afterEach(() => {
  vi.useRealTimers();
  cleanup();
  toast.dismiss();
});

/** What has focus: a toast (its message), another element (its id), or 'body'. */
function focused(): string | undefined {
  const element = document.activeElement;
  if (!element || element === document.body) return 'body';
  const toastElement = element.closest('[data-sonner-toast]');
  return toastElement ? messageText(toastElement) : element.id || element.tagName;
}

/** A page with a field to come from, and the Toaster, showing `texts` (the last on top). */
async function pageWithToasts(
  texts: readonly string[],
  durations?: { info?: number; success?: number },
) {
  const { client, sameBrowser } = server().browser();
  for (const text of texts) await sameBrowser.repeat.mutate({ text, times: 1 });
  renderPage(
    <>
      <input id="field" />
      <Toaster client={client} {...(durations ? { durations } : {})} />
    </>,
  );
  const toasts = [];
  for (const text of texts) toasts.push(await toastWith(text));
  const field = document.getElementById('field') as HTMLInputElement;
  return { toasts, field };
}

describe('the toasts from the keyboard', () => {
  it('closes the focused toast with Escape, focus moving to the next toast, then back where it came from', async () => {
    const { toasts, field } = await pageWithToasts(['First.', 'Second.']);
    const [first, second] = toasts as [HTMLElement, HTMLElement];
    act(() => field.focus());
    act(() => first.focus());

    fireEvent.keyDown(first, { key: 'Escape', code: 'Escape' });

    expect(focused()).toBe('Second.');
    await waitFor(() => expect(toastElements()).toEqual([second]));

    fireEvent.keyDown(second, { key: 'Escape', code: 'Escape' });

    expect(focused()).toBe('field');
    await waitFor(() => expect(toastElements()).toEqual([]));
    expect(focused()).toBe('field');
  });

  it('moves focus out of a toast closed with its close button, never to <body>', async () => {
    const { toasts } = await pageWithToasts(['Only.']);
    const [only] = toasts as [HTMLElement];
    const close = within(only).getByRole('button', { name: 'Close toast' });
    // Focus came from nowhere (the page itself): it goes to the toasts' region.
    act(() => close.focus());

    fireEvent.click(close);

    await waitFor(() => expect(toastElements()).toEqual([]));
    expect(focused()).toBe('SECTION');
    expect(document.activeElement?.getAttribute('aria-label')).toMatch(/^Notifications/);
  });

  it('spreads the toasts out while focus is in them, and stacks them again once it leaves', async () => {
    const { toasts, field } = await pageWithToasts(['One.', 'Two.']);
    const expanded = () => toastElements().map((li) => li.getAttribute('data-expanded'));
    const [one] = toasts as [HTMLElement];
    expect(expanded()).toEqual(['false', 'false']);

    act(() => one.focus());
    await waitFor(() => expect(expanded()).toEqual(['true', 'true']));

    act(() => field.focus());
    await waitFor(() => expect(expanded()).toEqual(['false', 'false']));
  });

  it('leaves Escape alone outside the toasts', async () => {
    const { field } = await pageWithToasts(['Stays.']);
    act(() => field.focus());

    fireEvent.keyDown(field, { key: 'Escape', code: 'Escape' });

    await act(() => new Promise((resolve) => setTimeout(resolve, 300)));
    expect(toastElements().map(messageText)).toEqual(['Stays.']);
  });

  it('keeps every toast on screen while focus is in them, and lets them go once it leaves', async () => {
    // The toasts' clock is the test's: it moves only when told, however slow the machine is.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { client, sameBrowser } = server().browser();
    await settle(sameBrowser.repeat.mutate({ text: 'Brief.', times: 1 }));
    renderPage(
      <>
        <input id="field" />
        <Toaster client={client} durations={{ info: 1000, success: 1000 }} />
      </>,
    );
    const brief = await pumpUntil(() => toastShowing('Brief.'));
    const field = document.getElementById('field') as HTMLInputElement;
    act(() => brief.focus());
    await pumpUntil(() => (brief.dataset.expanded === 'true' ? true : undefined));

    act(() => vi.advanceTimersByTime(60_000));
    expect(brief.dataset.removed).toBe('false');

    act(() => field.focus());
    await pumpUntil(() => (brief.dataset.expanded === 'false' ? true : undefined));
    // Its full 1000 ms again once focus has left, and gone once it has slid out.
    act(() => vi.advanceTimersByTime(999));
    expect(brief.dataset.removed).toBe('false');
    act(() => vi.advanceTimersByTime(1 + 200));
    expect(toastElements()).toEqual([]);
  });
});
