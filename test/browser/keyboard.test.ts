import { expect, it } from 'vitest';
import {
  addTask,
  describeInBrowser,
  expectCount,
  holdToasts,
  toastsWith,
  useDemoInBrowser,
} from './demo-fixture.js';

describeInBrowser('the toasts from the keyboard, in Chromium', () => {
  const demo = useDemoInBrowser();

  it('dismisses the focused toast with Escape, focus going to the next toast, then back to the page, never to <body>', async () => {
    const page = await demo.openPage();
    const first = toastsWith(page, 'Task "First" created.');
    const second = toastsWith(page, 'Task "Second" created.');
    await addTask(page, 'First');
    await first.waitFor();
    // The pointer over the toasts holds their timers: none leaves by itself mid-test.
    await holdToasts(page);
    await addTask(page, 'Second');
    await second.waitFor();
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement;
        if (!element || element === document.body) return 'body';
        return element.closest('[data-sonner-toast]')?.textContent ?? element.tagName;
      });

    // Into the toasts from the new-task field, as a keyboard user would come.
    await page.getByLabel('New task').focus();
    await first.focus();
    await page.keyboard.press('Escape');
    await expectCount(first, 0);
    expect(await focused()).toBe('Task "Second" created.');

    await page.keyboard.press('Escape');
    await expectCount(second, 0);
    expect(await focused()).toBe('INPUT');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('placeholder')))
      .toBe('What needs doing?');
  });
});
