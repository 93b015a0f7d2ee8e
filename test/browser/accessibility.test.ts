import { createRequire } from 'node:module';
import type axe from 'axe-core';
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

declare global {
  interface Window {
    axe: typeof axe;
  }
}

const axeScript = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The WCAG levels axe checks the page against. */
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

describeInBrowser('the demo’s accessibility, in Chromium', () => {
  const demo = useDemoInBrowser();

  it.each(['light', 'dark'] as const)(
    'has no axe violations (WCAG 2.2 AA) in the %s scheme with a toast of every kind and an Undo on screen',
    async (scheme) => {
      const page = await demo.openPage();
      await page.emulateMedia({ colorScheme: scheme });
      await addTask(page, '');
      await expect
        .poll(() => page.locator('[data-sonner-toaster]').getAttribute('data-sonner-theme'))
        .toBe(scheme);
      // The error stays until dismissed: the pointer over it holds every toast from now on, as
      // for a reader, so none leaves before the scan; the rest is done from the keyboard.
      await holdToasts(page);
      await addTask(page, 'Buy oat milk');
      await page.getByRole('button', { name: 'Complete Buy oat milk' }).press('Enter');
      await page.getByRole('button', { name: 'Remind me (custom level)' }).press('Enter');
      await page.getByRole('button', { name: 'Delete Buy oat milk' }).press('Enter');
      const deleted = toastsWith(page, 'Task "Buy oat milk" deleted.');
      await deleted.getByRole('button', { name: 'Undo' }).waitFor();
      await expectCount(toasts(page), 5);
      // Let the toasts finish sliding in: colours are checked on what is painted.
      await page.waitForFunction(() => document.getAnimations().length === 0);

      await page.addScriptTag({ path: axeScript });
      const violations = await page.evaluate(async (tags) => {
        const results = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
        return results.violations.map((violation) => ({
          rule: violation.id,
          impact: violation.impact,
          help: violation.help,
          nodes: violation.nodes.map((node) => ({
            target: node.target.join(' '),
            html: node.html,
            why: node.failureSummary,
          })),
        }));
      }, WCAG);
      expect(violations).toEqual([]);
    },
  );
});
