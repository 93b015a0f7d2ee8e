import { expect, it } from 'vitest';
import { FIVE_TASKS } from '../../demo/src/five-tasks.js';
import {
  addTask,
  classesOf,
  describeInBrowser,
  expectCount,
  holdToasts,
  networkQuiet,
  nextAnswer,
  toasts,
  toastsWith,
  useDemoInBrowser,
} from './demo-fixture.js';
import { timesShown, toastsShown } from './toasts-shown.js';

describeInBrowser('the demo’s toasts, in Chromium', () => {
  const demo = useDemoInBrowser();

  it('shows a success toast when a task is created, and not again after a reload', async () => {
    const page = await demo.openPage();
    await addTask(page, 'Buy oat milk');

    const toast = toastsWith(page, 'Task "Buy oat milk" created.');
    await toast.waitFor();
    expect(await classesOf(toast)).toContain('success');

    const consumed = nextAnswer(page, 'messages.consume');
    await page.reload({ waitUntil: 'load' });
    await consumed;
    await networkQuiet(page);
    expect(await toasts(page).count()).toBe(0);
    expect(await timesShown(page, 'Task "Buy oat milk" created.')).toBe(1);
  });

  it('shows the validation error of an empty title as an alert toast', async () => {
    const page = await demo.openPage();
    expect(await addTask(page, '')).toBeUndefined();

    const alert = toasts(page).getByRole('alert');
    await expect.poll(() => alert.textContent()).toBe('A task needs a title.');
    const toast = toastsWith(page, 'A task needs a title.');
    expect(await classesOf(toast)).toContain('error');
  });

  it('shows a repeated error once, counted: one toast with ×2', async () => {
    const page = await demo.openPage();
    await addTask(page, '');
    const toast = toastsWith(page, 'A task needs a title.');
    await toast.waitFor();
    await addTask(page, '');

    await expect.poll(() => toast.textContent()).toContain('×2');
    await networkQuiet(page);
    await expectCount(toast, 1);
    // Said in words to a screen reader, the "×2" being hidden from it.
    expect(await toast.textContent()).toContain('(2 times)');
  });

  it('shows a title written as HTML as text, running nothing', async () => {
    const page = await demo.openPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const title = '<img src=x onerror=alert(1)>';
    await addTask(page, title);

    const toast = toastsWith(page, `Task "${title}" created.`);
    await toast.waitFor();
    // Held on screen, so that what it rendered is still there to look at.
    await holdToasts(page);
    await networkQuiet(page);
    expect(await toast.locator('img').count()).toBe(0);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('shows one toast per mutation when five run at once, under StrictMode', async () => {
    const page = await demo.openPage();
    await page.getByRole('button', { name: 'Add five at once' }).click();

    for (const title of FIVE_TASKS)
      await expect.poll(() => timesShown(page, `Task "${title}" created.`)).toBe(1);
    await networkQuiet(page);
    for (const title of FIVE_TASKS)
      expect(await timesShown(page, `Task "${title}" created.`)).toBe(1);
    expect(await toastsShown(page)).toHaveLength(5);
  });

  it('loses and doubles no toast when two buttons are clicked in quick succession', async () => {
    const page = await demo.openPage();
    await page.getByRole('button', { name: 'Add five at once' }).click();
    await page.getByRole('button', { name: 'Remind me (custom level)' }).click();

    const shown = (text: string) => timesShown(page, text);
    await expect.poll(() => shown('Open tasks:')).toBe(1);
    for (const title of FIVE_TASKS)
      await expect.poll(() => shown(`Task "${title}" created.`)).toBe(1);
    await networkQuiet(page);
    expect(await shown('Open tasks:')).toBe(1);
    for (const title of FIVE_TASKS) expect(await shown(`Task "${title}" created.`)).toBe(1);
    expect(await toastsShown(page)).toHaveLength(6);
  });

  it('styles a custom level’s toast with its tag', async () => {
    const page = await demo.openPage();
    await page.getByRole('button', { name: 'Remind me (custom level)' }).click();

    const toast = toastsWith(page, 'Open tasks:');
    await toast.waitFor();
    expect(await classesOf(toast)).toContain('notice');
  });

  it('shows debug messages only while the debug switch is on', async () => {
    const page = await demo.openPage();
    const debugSwitch = page.getByLabel('Show debug messages');

    await debugSwitch.check();
    const withDebug = await addTask(page, 'Debug me');
    const debugToast = toastsWith(page, `Task ${withDebug} stored;`);
    await debugToast.waitFor();
    expect(await classesOf(debugToast)).toContain('debug');

    await debugSwitch.uncheck();
    const withoutDebug = await addTask(page, 'Do not debug me');
    await toastsWith(page, 'Task "Do not debug me" created.').waitFor();
    await networkQuiet(page);
    expect(await timesShown(page, `Task ${withoutDebug} stored;`)).toBe(0);
  });
});
