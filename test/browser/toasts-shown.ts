import type { Page } from 'playwright-core';
import { z } from 'zod';

/** One toast a tab showed: in which of its documents, and each text it showed, in order. */
export interface ShownToast {
  /** 0 for the document the tab opened with, 1 for the next (a reload, a navigation), … */
  readonly document: number;
  readonly texts: readonly string[];
}

/** Where `recordToasts` keeps what it saw: the tab's sessionStorage, which outlives a reload. */
const SHOWN_KEY = 'trpc-messages-tests:toasts';

/**
 * Records, in the page, every toast (sonner's) each document of the tab puts in the DOM and every
 * text it shows, from its first document on: see `toastsShown`. Call it before the page's first
 * navigation.
 */
export async function recordToastsShown(page: Page): Promise<void> {
  await page.addInitScript(recordToasts, SHOWN_KEY);
}

/**
 * Runs in the page, before its own scripts, in each of its documents: writes what it sees at once
 * (a document that leaves the next moment loses nothing). Self-contained, as it runs there.
 */
function recordToasts(key: string): void {
  // The blank page a new tab starts on has no storage of its own.
  if (location.origin === 'null') return;
  const saved: { documents: number; toasts: { document: number; texts: string[] }[] } = JSON.parse(
    sessionStorage.getItem(key) ?? '{"documents":0,"toasts":[]}',
  );
  const thisDocument = saved.documents++;
  sessionStorage.setItem(key, JSON.stringify(saved));
  const seen = new WeakMap<Element, { document: number; texts: string[] }>();
  new MutationObserver(() => {
    let changed = false;
    for (const element of document.querySelectorAll('[data-sonner-toast]')) {
      let toast = seen.get(element);
      if (toast === undefined) {
        toast = { document: thisDocument, texts: [] };
        seen.set(element, toast);
        saved.toasts.push(toast);
      }
      const text = element.textContent ?? '';
      if (text === '' || toast.texts.at(-1) === text) continue;
      toast.texts.push(text);
      changed = true;
    }
    if (changed) sessionStorage.setItem(key, JSON.stringify(saved));
  }).observe(document, { subtree: true, childList: true, characterData: true });
}

const shownSchema = z.object({
  toasts: z.array(z.object({ document: z.number(), texts: z.array(z.string()) })),
});

/**
 * Every toast the tab has shown since `recordToastsShown`, across reloads and navigations, oldest
 * first, including those that have left the screen since (success and info toasts close after
 * 4 s, long before a slow test looks): what to count on, where the DOM tells only what is on
 * screen now.
 */
export async function toastsShown(page: Page): Promise<ShownToast[]> {
  const saved = await page.evaluate((key) => sessionStorage.getItem(key), SHOWN_KEY);
  const { toasts } = shownSchema.parse(JSON.parse(saved ?? '{"toasts":[]}'));
  return toasts.filter((toast) => toast.texts.length > 0);
}

/** The last text of every toast the tab has shown (see `toastsShown`), oldest first. */
export async function textsShown(page: Page): Promise<string[]> {
  return (await toastsShown(page)).map((toast) => toast.texts.at(-1) ?? '');
}

/** How many of the toasts the tab has shown (see `toastsShown`) had a text containing `text`. */
export async function timesShown(page: Page, text: string): Promise<number> {
  const shown = await toastsShown(page);
  return shown.filter((toast) => toast.texts.some((t) => t.includes(text))).length;
}
