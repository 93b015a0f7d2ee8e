import { expect, it } from 'vitest';
import {
  addTask,
  describeInBrowser,
  networkQuiet,
  nextAnswer,
  toasts,
  toastsWith,
  useDemoInBrowser,
} from './demo-fixture.js';

describeInBrowser('two users of the demo, in Chromium', () => {
  const demo = useDemoInBrowser();

  it('never shows one browser’s messages to another', async () => {
    // Two browser contexts: two cookie jars, two users, on one server and one shared task board.
    const alice = await demo.openPage();
    const bob = await demo.openPage();
    const fromAlice = 'Task "Alice’s task" created.';
    const fromBob = 'Task "Bob’s task" created.';

    await addTask(alice, 'Alice’s task');
    await toastsWith(alice, fromAlice).waitFor();
    await addTask(bob, 'Bob’s task');
    await toastsWith(bob, fromBob).waitFor();

    await Promise.all([networkQuiet(alice), networkQuiet(bob)]);
    expect(await toasts(alice).allTextContents()).toEqual([fromAlice]);
    expect(await toasts(bob).allTextContents()).toEqual([fromBob]);

    const consumed = nextAnswer(bob, 'messages.consume');
    await bob.reload({ waitUntil: 'load' });
    await consumed;
    await networkQuiet(bob);
    expect(await toasts(bob).count()).toBe(0);
  });
});
