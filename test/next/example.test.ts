import { expect, it } from 'vitest';
import { timesShown } from '../browser/toasts-shown.js';
import {
  consumeAnswered,
  describeInBrowser,
  messageWaiting,
  sentinelShown,
  toast,
  trpcCalls,
  useExampleInBrowser,
} from './example-fixture.js';

describeInBrowser('the Next.js example, built and served by next start', () => {
  const example = useExampleInBrowser('start');

  it('shows the toast of a mutation through the route handler, carried on its own response', async () => {
    const page = await example.openPage();
    const before = trpcCalls(page).length;
    await page.getByRole('button', { name: 'Create (route handler)' }).click();
    await expect.poll(() => toast(page, 'Task "Write docs" created.').count()).toBe(1);
    expect(trpcCalls(page).slice(before)).toEqual(['tasks.create']);
  });

  it("shows the toast of a Server Action called through useMutation, from the action's own response", async () => {
    const page = await example.openPage();
    const before = trpcCalls(page).length;
    await page.getByRole('button', { name: 'Create (Server Action)' }).click();
    await expect.poll(() => toast(page, 'Task "Call Alice" created.').count()).toBe(1);
    expect(trpcCalls(page).slice(before)).toEqual([]);
  });

  it("shows a form action's toast in the first paint of the page it redirects to, with no consume", async () => {
    const page = await example.openPage();
    const before = trpcCalls(page).length;
    await page.getByRole('button', { name: 'Create and open the list (form action)' }).click();
    await page.getByRole('heading', { name: 'Task list' }).waitFor();
    await expect.poll(() => toast(page, 'Task "Plan the week" created.').count()).toBe(1);
    expect(trpcCalls(page).slice(before)).toEqual([]);
  });

  it('puts a message waiting for the visitor into the server-rendered page it loads', async () => {
    const page = await example.openPage();
    await messageWaiting(page, 'From elsewhere');
    const consumed = consumeAnswered(page);
    const document = await page.goto(`${example.url}/tasks`);
    expect(await document?.text()).toContain('From elsewhere');
    await expect.poll(() => toast(page, 'Task "From elsewhere" created.').count()).toBe(1);
    // The page had them: the Toaster's consume on mount finds none.
    expect(await consumed).toEqual([]);
  });

  it("shows a server component's own message in the first paint of its page, to a new visitor", async () => {
    // A visitor with no cookie at all: the page can write none, yet its message is in the paint.
    const html = await (await fetch(`${example.url}/welcome`)).text();
    expect(html).toContain('Welcome! Your tasks are saved as you go.');
    const page = await example.openPage('/welcome');
    await expect
      .poll(() => toast(page, 'Welcome! Your tasks are saved as you go.').count())
      .toBe(1);
    expect(trpcCalls(page)).toEqual(['messages.consume']);
  });

  it("shows the messages waiting for a page a <Link> opens, from the navigation's payload", async () => {
    const page = await example.openPage();
    await messageWaiting(page, 'Linked');
    const before = trpcCalls(page).length;
    await page.getByRole('link', { name: 'Open the list' }).click();
    await page.getByRole('heading', { name: 'Task list' }).waitFor();
    await expect.poll(() => toast(page, 'Task "Linked" created.').count()).toBe(1);
    expect(trpcCalls(page).slice(before)).toEqual([]);
  });

  it('shows the toast of a mutation followed by router.push() once, on the next page', async () => {
    const page = await example.openPage();
    await page.getByRole('button', { name: 'Create and open the list' }).first().click();
    await page.getByRole('heading', { name: 'Task list' }).waitFor();
    await expect.poll(() => toast(page, 'Task "Ship it" created.').count()).toBe(1);
    // The next page's payload does not bring it again.
    await page.getByRole('link', { name: 'Back' }).click();
    await page.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
    await sentinelShown(page);
    expect(await timesShown(page, 'Task "Ship it" created.')).toBe(1);
  });

  it('shows none of the messages already shown after a reload, nor in a new tab', async () => {
    const page = await example.openPage();
    await page.getByRole('button', { name: 'Create (route handler)' }).click();
    await toast(page, 'Task "Write docs" created.').waitFor();
    // Acknowledged within half the lease (on a request of their own when none goes out).
    await page.waitForRequest(
      (r) => r.headers()['trpc-messages-client']?.includes('ack=') ?? false,
    );
    const reloaded = consumeAnswered(page);
    await page.reload();
    expect(await reloaded).toEqual([]);
    await page.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
    const tab = await example.openPage('/', page.context());
    await sentinelShown(page);
    await sentinelShown(tab);
    // Shown once, before the reload.
    expect(await timesShown(page, 'Task "Write docs" created.')).toBe(1);
    expect(await timesShown(tab, 'Task "Write docs" created.')).toBe(0);
  });

  it("keeps two visitors' messages apart", async () => {
    const alice = await example.openPage();
    const bob = await example.openPage();
    await messageWaiting(alice, 'For Alice');
    const [, bobConsumed] = await Promise.all([alice.reload(), consumeAnswered(bob), bob.reload()]);
    await expect.poll(() => toast(alice, 'Task "For Alice" created.').count()).toBe(1);
    expect(bobConsumed).toEqual([]);
    await sentinelShown(bob);
    expect(await timesShown(bob, 'For Alice')).toBe(0);
  });

  it('flashes through a route handler on the edge runtime, its message kept in the cookie', async () => {
    const saved = await fetch(`${example.url}/api/edge/greet`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(saved.status).toBe(200);
    const cookie = saved.headers.getSetCookie().map((header) => header.split(';')[0]);
    expect(cookie[0]).toMatch(/^messages=/);
    const consumed = await fetch(`${example.url}/api/edge/messages.consume`, {
      headers: { cookie: cookie.join('; ') },
    });

    const body = (await consumed.json()) as { result: { data: { messages: unknown[] } } };
    expect(body.result.data.messages).toEqual([
      expect.objectContaining({ message: 'Hello from the edge.', levelTag: 'info' }),
    ]);
  });
});
