import type { Page, Request } from 'playwright-core';
import { expect, it } from 'vitest';
import {
  addTask,
  describeInBrowser,
  networkQuiet,
  openLiveStreams,
  recipientOf,
  toastsWith,
  useDemoInBrowser,
} from './demo-fixture.js';
import { textsShown, timesShown } from './toasts-shown.js';

/**
 * The procedures of the page's tRPC requests from now on, one entry per HTTP request, but its
 * live stream (a subscription the page holds open, not a request of a flash).
 */
function recordCalls(page: Page): string[][] {
  const calls: string[][] = [];
  page.on('request', (request: Request) => {
    const { pathname } = new URL(request.url());
    if (!pathname.startsWith('/trpc/') || pathname === '/trpc/messages.live') return;
    calls.push(pathname.slice('/trpc/'.length).split(','));
  });
  return calls;
}

describeInBrowser('delivery in Chromium: exactly once, on the mutation’s response', () => {
  const demo = useDemoInBrowser();

  it('shows a flashing mutation’s toast after one HTTP request, its own', async () => {
    const page = await demo.openPage();
    const calls = recordCalls(page);

    await addTask(page, 'One request');
    await toastsWith(page, 'Task "One request" created.').waitFor();
    await networkQuiet(page);
    // The create's response carried its message: no consume came after it.
    expect(calls[0]).toEqual(['create']);
    expect(calls.flat()).not.toContain('messages.consume');
  });

  it('shows every message exactly once across a full navigation while it is on the wire, 20 tries at 0 to 400 ms of latency', async ({
    annotate,
  }) => {
    const page = await demo.openPage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const latency = [0, 50, 150, 400][attempt % 4] ?? 0;
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
      const title = `Navigation try ${attempt}`;
      const field = page.getByLabel('New task');
      await field.fill(title);
      // Half the tries leave as soon as the request is out, half once its answer is arriving.
      const leaving =
        attempt % 2 === 0
          ? page.waitForRequest((request) => request.url().includes('/trpc/create'))
          : page.waitForResponse((response) => response.url().includes('/trpc/create'));
      await field.press('Enter');
      await leaving;
      const navigation = attempt % 3 === 0 ? 'go to another page' : 'reload';
      if (navigation === 'reload') await page.reload({ waitUntil: 'load' });
      else await page.goto(`${demo.url}/?after-save=${attempt}`, { waitUntil: 'load' });
      // The task list (asked with the browser's cookies) says whether the create got through.
      const tasks = await page.request.get(`${demo.url}/trpc/tasks`);
      const created = (await tasks.text()).includes(`"${title}"`);
      const message = `Task "${title}" created.`;
      if (created) await expect.poll(() => timesShown(page, message)).toBe(1);
      await networkQuiet(page);
      const shown = await timesShown(page, message);
      outcomes.push(`${latency} ms, ${navigation}: ${created ? `shown ${shown}x` : 'not created'}`);
      expect(shown, outcomes.join('; ')).toBe(created ? 1 : 0);
    }
    await annotate(outcomes.join('; '));
  });

  it('shows the message of the demo’s Save and reload once, on the page that loads next', async () => {
    const page = await demo.openPage();
    for (const attempt of [1, 2, 3]) {
      const title = `Saved before reload ${attempt}`;
      await page.getByLabel('New task').fill(title);
      const reloaded = page.waitForEvent('load');
      await page.getByRole('button', { name: 'Save and reload' }).click();
      await reloaded;
      const message = `Task "${title}" created.`;
      await expect.poll(() => timesShown(page, message)).toBe(1);
      await networkQuiet(page);
      expect(await timesShown(page, message)).toBe(1);
    }
  });

  it('shows each toast once, in the tab that acted, with five tabs of one browser acting in turn', async () => {
    const tabs = await demo.openTabs(5, { realFocus: true });
    for (const [index, tab] of tabs.entries()) {
      await addTask(tab, `From tab ${index}`);
      await toastsWith(tab, `Task "From tab ${index}" created.`).waitFor();
    }
    await Promise.all(tabs.map((tab) => networkQuiet(tab)));
    for (const [index, tab] of tabs.entries()) {
      expect(await textsShown(tab)).toEqual([`Task "From tab ${index}" created.`]);
    }
  });

  it('shows a job’s message once, in the tab the user looks at', async () => {
    const tabs = await demo.openTabs(5, { realFocus: true });
    const [starter, , looked] = tabs;
    if (!starter || !looked) throw new Error('five tabs were opened');
    await starter.getByRole('button', { name: 'Export tasks' }).click();
    await toastsWith(starter, 'Exporting your tasks').waitFor();

    // The user turns to another tab, which takes the browser's live stream.
    const streamOpened = looked.waitForRequest((r) => r.url().includes('/trpc/messages.live'));
    await looked.bringToFront();
    await streamOpened;
    // The tab that led before has let its stream go.
    const others = tabs.filter((tab) => tab !== looked);
    await expect.poll(() => others.reduce((sum, tab) => sum + openLiveStreams(tab), 0)).toBe(0);
    // As the demo's export does, from the background (sent here, so it comes after the turn).
    await demo.messages.to(await recipientOf(looked)).success('Your report is ready.');

    await toastsWith(looked, 'Your report is ready.').waitFor();
    await Promise.all(tabs.map((tab) => networkQuiet(tab)));
    for (const tab of tabs) {
      expect(await timesShown(tab, 'Your report is ready.')).toBe(tab === looked ? 1 : 0);
    }
  });

  it('loads every tab and toasts every action with ten tabs open, holding one live stream', async () => {
    const tabs = await demo.openTabs(10);
    for (const [index, tab] of tabs.entries()) {
      await addTask(tab, `Tab ${index} of ten`);
      await toastsWith(tab, `Task "Tab ${index} of ten" created.`).waitFor();
    }
    const streams = tabs.reduce((sum, tab) => sum + openLiveStreams(tab), 0);
    expect(streams).toBe(1);
  });
});
