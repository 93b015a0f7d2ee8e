import { expect, it } from 'vitest';
import { describeInBrowser, expectCount, toastsWith, useDemoInBrowser } from './demo-fixture.js';

declare global {
  interface Window {
    /** What the page's export toasts said, in order, each with the toast element that said it. */
    exportToasts?: { toast: number; text: string }[];
  }
}

describeInBrowser('a background job’s progress, in Chromium', () => {
  const demo = useDemoInBrowser();

  it('updates the export’s one toast in place, from a percentage to ready', async () => {
    const page = await demo.openPage();
    // Records every text an export toast shows, and which toast element showed it.
    await page.evaluate(() => {
      const elements = new Map<Element, number>();
      const seen: { toast: number; text: string }[] = [];
      window.exportToasts = seen;
      new MutationObserver(() => {
        for (const toast of document.querySelectorAll('li[data-sonner-toast]')) {
          const text = toast.textContent ?? '';
          if (!text.includes('Export')) continue;
          if (!elements.has(toast)) elements.set(toast, elements.size);
          const index = elements.get(toast) ?? -1;
          if (seen.at(-1)?.text !== text || seen.at(-1)?.toast !== index) {
            seen.push({ toast: index, text });
          }
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });

    await page.getByRole('button', { name: 'Export tasks' }).click();
    await toastsWith(page, 'Exporting your tasks: 50%').waitFor();
    await toastsWith(page, 'Export ready').waitFor();
    await expectCount(toastsWith(page, 'Export'), 1);

    const seen = (await page.evaluate(() => window.exportToasts)) ?? [];
    const texts = seen.map((entry) => entry.text);
    expect(new Set(seen.map((entry) => entry.toast))).toEqual(new Set([0]));
    expect(texts[0]).toMatch(/Exporting your tasks: \d+%/);
    expect(texts).toContain('Exporting your tasks: 75%…');
    expect(texts.at(-1)).toBe('Export ready: your tasks are saved.');
  });
});
