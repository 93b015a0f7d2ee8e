import { createRequire } from 'node:module';
import type axe from 'axe-core';
import { expect, it } from 'vitest';
import {
  addTask,
  describeInBrowser,
  expectCount,
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

describeInBrowser('the demo’s accessibility, in Chromium', () => {
  const demo = useDemoInBrowser();

  it('has no axe violations with a toast of every kind on screen', async () => {
    const page = await demo.openPage();
    await addTask(page, '');
    await addTask(page, 'Buy oat milk');
    await page.getByRole('button', { name: 'Complete Buy oat milk' }).click();
    await page.getByRole('button', { name: 'Remind me (custom level)' }).click();
    await page.getByRole('button', { name: 'Delete Buy oat milk' }).click();
    await toastsWith(page, 'Task "Buy oat milk" deleted.').waitFor();
    await expectCount(toasts(page), 5);
    // A pointer over the toasts pauses their timers, as for a reader: none leaves mid-scan.
    await toasts(page).first().hover();
    // Let the toasts finish sliding in: colours are checked on what is painted.
    await page.waitForFunction(() => document.getAnimations().length === 0);

    await page.addScriptTag({ path: axeScript });
    const violations = await page.evaluate(async () => {
      const results = await window.axe.run();
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
    });
    expect(violations).toEqual([]);
  });
});
