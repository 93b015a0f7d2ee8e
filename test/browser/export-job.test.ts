import { expect, it } from 'vitest';
import { describeInBrowser, toastsWith, useDemoInBrowser } from './demo-fixture.js';
import { toastsShown } from './toasts-shown.js';

describeInBrowser('a background job’s progress, in Chromium', () => {
  const demo = useDemoInBrowser();

  it('updates the export’s one toast in place, from a percentage to ready', async () => {
    const page = await demo.openPage();

    await page.getByRole('button', { name: 'Export tasks' }).click();
    await toastsWith(page, 'Export ready').waitFor();

    // Every text an export toast showed: one toast, updated in place. A step may be replaced
    // by the next before the page fetched it (a keyed message takes its unread one's place),
    // so which percentages show depends on the machine's pace; their order does not.
    const exports = (await toastsShown(page)).filter((toast) =>
      toast.texts.some((text) => text.includes('Export')),
    );
    expect(exports).toHaveLength(1);
    const texts = exports[0]?.texts ?? [];
    expect(texts.at(-1)).toBe('Export ready: your tasks are saved.');
    const progress = texts.slice(0, -1);
    expect(progress.length).toBeGreaterThan(0);
    for (const text of progress) expect(text).toMatch(/^Exporting your tasks: \d+%…$/);
    const percents = progress.map((text) => Number.parseInt(text.replace(/\D+/g, ''), 10));
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
  });
});
