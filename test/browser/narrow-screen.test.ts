import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import {
  addTask,
  describeInBrowser,
  expectCount,
  holdToasts,
  toasts,
  toastsWith,
  useDemoInBrowser,
} from './demo-fixture.js';

/** A phone's screen, in CSS pixels. */
const PHONE = { width: 375, height: 667 } as const;

type Box = { x: number; y: number; width: number; height: number };

const intersect = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** The boxes of the elements `locator` matches that are on screen now. */
async function boxesOf(locator: Locator): Promise<Box[]> {
  const boxes = await Promise.all((await locator.all()).map((element) => element.boundingBox()));
  return boxes.filter((box): box is Box => box !== null && box.width > 0 && box.height > 0);
}

/** What a user can click in the top bar: the language and theme switches' options. */
const topBarControls = (page: Page) => page.locator('.topbar').locator('label, button, a');

describeInBrowser('the demo on a phone’s screen, in Chromium', () => {
  const demo = useDemoInBrowser();

  it('keeps the toasts off the top bar’s controls on a 375 px wide screen, which take clicks with toasts on screen', async () => {
    const page = await demo.openPage({ viewport: PHONE });
    // Five toasts, as many as show at once, an Undo's among them (the tallest), held on screen.
    await addTask(page, '');
    await holdToasts(page);
    await addTask(page, 'Buy oat milk');
    await page.getByRole('button', { name: 'Complete Buy oat milk' }).press('Enter');
    await page.getByRole('button', { name: 'Remind me (custom level)' }).press('Enter');
    await page.getByRole('button', { name: 'Delete Buy oat milk' }).press('Enter');
    await toastsWith(page, 'Task "Buy oat milk" deleted.').getByRole('button').first().waitFor();
    await expectCount(toasts(page), 5);
    // Back at the top of the page (the keyboard scrolled it), where the top bar is in view.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForFunction(() => document.getAnimations().length === 0);

    const controls = await boxesOf(topBarControls(page));
    expect(controls.length).toBeGreaterThanOrEqual(5);
    for (const control of controls) expect(control.y).toBeGreaterThanOrEqual(0);
    const toastBoxes = await boxesOf(toasts(page));
    expect(toastBoxes).toHaveLength(5);
    for (const toast of toastBoxes) {
      for (const control of controls)
        expect(intersect(toast, control), 'a toast covers a control').toBe(false);
    }

    // Clicked as a user would (Playwright refuses a click another element would take).
    await page.getByRole('radio', { name: 'Français' }).click();
    await page.getByRole('heading', { name: 'Tâches', level: 1 }).waitFor();
    await page.getByRole('radio', { name: 'Sombre' }).click();
    await expect
      .poll(() => page.evaluate(() => document.documentElement.dataset.theme))
      .toBe('dark');
    expect(await toasts(page).count()).toBeGreaterThan(0);
  });
});
