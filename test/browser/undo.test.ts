import { expect, it } from 'vitest';
import {
  addTask,
  describeInBrowser,
  expectCount,
  nextAnswer,
  taskTitles,
  toastsWith,
  useDemoInBrowser,
} from './demo-fixture.js';

describeInBrowser('Undo of a deleted task, in Chromium', () => {
  const demo = useDemoInBrowser();

  it('restores the deleted task from its toast’s Undo, which answers with its own message', async () => {
    const page = await demo.openPage();
    await addTask(page, 'Water the plants');
    await addTask(page, 'Call the bank');
    await page.getByRole('button', { name: 'Delete Water the plants' }).click();
    const deleted = toastsWith(page, 'Task "Water the plants" deleted.');
    await deleted.waitFor();
    await expect.poll(() => taskTitles(page)).toEqual(['Call the bank']);

    const restored = nextAnswer(page, 'restore');
    await deleted.getByRole('button', { name: 'Undo' }).click();
    expect((await restored).status()).toBe(200);
    await toastsWith(page, 'Task "Water the plants" restored.').waitFor();
    // Back where it stood, and the deletion's toast (its Undo taken) gone.
    await expect.poll(() => taskTitles(page)).toEqual(['Call the bank', 'Water the plants']);
    await expectCount(deleted, 0);
  });

  it('refuses a restore that no message offered', async () => {
    const page = await demo.openPage();
    const id = await addTask(page, 'Book the tickets');
    await page.getByRole('button', { name: 'Delete Book the tickets' }).click();
    await toastsWith(page, 'Task "Book the tickets" deleted.').waitFor();

    // The same call, from the same browser, without the signed action the toast holds.
    const answer = await page.request.post(`${demo.url}/trpc/restore`, { data: { id } });
    expect(answer.status()).toBe(403);
    const listed = nextAnswer(page, 'tasks');
    await page.reload({ waitUntil: 'load' });
    await listed;
    expect(await taskTitles(page)).toEqual([]);
  });
});
