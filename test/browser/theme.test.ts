import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import {
  addTask,
  describeInBrowser,
  nextAnswer,
  toasts,
  useDemoInBrowser,
} from './demo-fixture.js';

/** The page's background colour and the toasts' theme now (a toast on screen). */
async function painted(page: Page) {
  return {
    background: await page.evaluate(() => getComputedStyle(document.body).backgroundColor),
    toasts: await page.locator('[data-sonner-toaster]').getAttribute('data-sonner-theme'),
  };
}

describeInBrowser('the demo’s colour scheme, in Chromium', () => {
  const demo = useDemoInBrowser();

  it('follows the system’s scheme until a theme is chosen, and keeps the choice across a reload', async () => {
    const page = await demo.openPage();
    await page.emulateMedia({ colorScheme: 'light' });
    // An error stays until dismissed: the toasts' region is there throughout.
    await addTask(page, '');
    await toasts(page).first().waitFor();
    const light = await painted(page);
    expect(light.toasts).toBe('light');

    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(() => painted(page)).not.toEqual(light);
    const dark = await painted(page);
    expect(dark.toasts).toBe('dark');

    // Chosen: light, whatever the system says, also after a reload.
    await page.getByRole('radio', { name: 'Light' }).check();
    await expect.poll(() => painted(page)).toEqual(light);
    const consumed = nextAnswer(page, 'messages.consume');
    await page.reload({ waitUntil: 'load' });
    await consumed;
    await addTask(page, '');
    await expect.poll(() => painted(page)).toEqual(light);

    await page.getByRole('radio', { name: 'System' }).check();
    await expect.poll(() => painted(page)).toEqual(dark);
  });
});
