import { expect, it } from 'vitest';
import {
  addTask,
  describeInBrowser,
  networkQuiet,
  nextAnswer,
  taskTitles,
  toasts,
  toastsWith,
  useDemoInBrowser,
} from './demo-fixture.js';
import { textsShown } from './toasts-shown.js';

describeInBrowser('two users of the demo, in Chromium', () => {
  const demo = useDemoInBrowser();

  it('never shows one browser’s messages to another', async () => {
    // Two browser contexts: two cookie jars, two users, on one server.
    const alice = await demo.openPage();
    const bob = await demo.openPage();
    const fromAlice = 'Task "Alice’s task" created.';
    const fromBob = 'Task "Bob’s task" created.';

    await addTask(alice, 'Alice’s task');
    await toastsWith(alice, fromAlice).waitFor();
    await addTask(bob, 'Bob’s task');
    await toastsWith(bob, fromBob).waitFor();

    await Promise.all([networkQuiet(alice), networkQuiet(bob)]);
    expect(await textsShown(alice)).toEqual([fromAlice]);
    expect(await textsShown(bob)).toEqual([fromBob]);

    const consumed = nextAnswer(bob, 'messages.consume');
    await bob.reload({ waitUntil: 'load' });
    await consumed;
    await networkQuiet(bob);
    expect(await toasts(bob).count()).toBe(0);
    expect(await textsShown(bob)).toEqual([fromBob]);
  });

  it('shows each visitor only their own tasks, before and after a reload', async () => {
    const alice = await demo.openPage();
    const bob = await demo.openPage();
    // A newcomer's board is empty, whatever others have on theirs.
    await addTask(alice, 'Alice’s first task');
    const newcomer = await demo.openPage();
    expect(await taskTitles(newcomer)).toEqual([]);

    await addTask(bob, 'Bob’s task');
    await addTask(alice, 'Alice’s second task');
    await expect
      .poll(() => taskTitles(alice))
      .toEqual(['Alice’s second task', 'Alice’s first task']);
    await expect.poll(() => taskTitles(bob)).toEqual(['Bob’s task']);

    for (const page of [alice, bob]) {
      const listed = nextAnswer(page, 'tasks');
      await page.reload({ waitUntil: 'load' });
      await listed;
    }
    await expect
      .poll(() => taskTitles(alice))
      .toEqual(['Alice’s second task', 'Alice’s first task']);
    await expect.poll(() => taskTitles(bob)).toEqual(['Bob’s task']);
  });
});
