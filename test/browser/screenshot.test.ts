import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import {
  addTask,
  describeInBrowser,
  expectCount,
  holdToasts,
  networkQuiet,
  nextAnswer,
  toasts,
  toastsWith,
  useDemoInBrowser,
  VIEWPORT,
} from './demo-fixture.js';

const FILE_NAME = 'demo-toasts.png';
/**
 * Where the test writes the screenshot (gitignored); with UPDATE_SCREENSHOT=1 also the copy the
 * README shows, which is committed and so not rewritten on every run.
 */
const destinations = [
  '../../test-results/',
  ...(process.env.UPDATE_SCREENSHOT ? ['../../docs/'] : []),
].map((folder) => fileURLToPath(new URL(folder, import.meta.url)));

describeInBrowser('the demo’s screenshot, in Chromium', () => {
  const demo = useDemoInBrowser();

  it('writes a 1100x700 screenshot of the task list with toasts to the test output folder', async () => {
    const page = await demo.openPage();
    for (const title of ['Book the tickets', 'Call the bank', 'Water the plants', 'Buy oat milk']) {
      await addTask(page, title);
    }
    // The creations' toasts shown, a reload starts the picture with the list alone.
    await toastsWith(page, 'Task "Buy oat milk" created.').waitFor();
    await networkQuiet(page);
    const consumed = nextAnswer(page, 'messages.consume');
    await page.reload({ waitUntil: 'load' });
    await consumed;
    await networkQuiet(page);

    await page.getByRole('button', { name: 'Complete Water the plants' }).press('Enter');
    await toastsWith(page, 'Task "Water the plants" completed.').waitFor();
    // The pointer over the toasts holds them all from now on (screenshots show no pointer): the
    // rest is done from the keyboard, which leaves it there.
    await holdToasts(page);
    await page.getByRole('button', { name: 'Delete Book the tickets' }).press('Enter');
    await toastsWith(page, 'Task "Book the tickets" deleted.')
      .getByRole('button')
      .first()
      .waitFor();
    await addTask(page, '');
    await addTask(page, '');
    await expect
      .poll(() => toastsWith(page, 'A task needs a title.').textContent())
      .toContain('×2');
    await page.getByRole('button', { name: 'Remind me (custom level)' }).press('Enter');
    await toastsWith(page, 'Open tasks:').waitFor();
    await expectCount(toasts(page), 4);
    await page.getByLabel('New task').blur();
    await page.waitForFunction(() => document.getAnimations().length === 0);

    const png = await page.screenshot({ animations: 'disabled' });
    for (const folder of destinations) {
      await mkdir(folder, { recursive: true });
      await writeFile(`${folder}${FILE_NAME}`, png);
    }
    // A PNG's IHDR chunk holds its width and height.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([VIEWPORT.width, VIEWPORT.height]);
  });
});
