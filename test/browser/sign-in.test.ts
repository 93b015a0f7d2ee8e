import { expect, it } from 'vitest';
import { SESSION_COOKIE } from '../fixtures/session-cookie.js';
import {
  addTask,
  describeInBrowser,
  nextAnswer,
  taskTitles,
  useDemoInBrowser,
} from './demo-fixture.js';
import { timesShown } from './toasts-shown.js';

// The demo's sign-in and sign-out rotate the messages session (demo/api/router.ts): a signed-in
// user's tasks and messages follow them, and a copy of a session cookie is worth nothing after.

describeInBrowser('signing in and out of the demo, in Chromium', () => {
  const demo = useDemoInBrowser();

  /** What `messages.consume` hands a request carrying `cookie` alone. */
  async function consumedWith(cookie: string): Promise<unknown[]> {
    const response = await fetch(`${demo.url}/trpc/messages.consume`, { headers: { cookie } });
    const body = (await response.json()) as { result: { data: { messages: unknown[] } } };
    return body.result.data.messages;
  }

  it('welcomes the user once, keeps the board, and leaves nothing to a copy of the visitor’s cookie', async () => {
    const page = await demo.openPage();
    await addTask(page, 'Planted before signing in');
    const visitorCookie = (await page.context().cookies()).find((c) => c.name === SESSION_COOKIE);
    expect(visitorCookie).toBeDefined();

    await page.getByRole('textbox', { name: 'Name' }).fill('Ada');
    const signedIn = nextAnswer(page, 'signIn');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect((await signedIn).status()).toBe(200);

    await expect.poll(() => timesShown(page, 'Signed in as Ada')).toBe(1);
    await page.getByText('Signed in as Ada.').waitFor();
    expect(await taskTitles(page)).toEqual(['Planted before signing in']);
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain(SESSION_COOKIE);
    expect(await consumedWith(`${SESSION_COOKIE}=${visitorCookie?.value}`)).toEqual([]);

    // Another browser, signed in as Ada: the same board. A message for her reaches her screen.
    const other = await demo.openPage();
    await other.getByRole('textbox', { name: 'Name' }).fill('Ada');
    await other.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => taskTitles(other)).toEqual(['Planted before signing in']);
    await other.close();
    await demo.messages.to({ userId: 'Ada' }).info('For Ada, on whichever browser she uses.');
    await expect.poll(() => timesShown(page, 'For Ada, on whichever browser she uses.')).toBe(1);
  });

  it('says goodbye in a new visitor session, with a board of its own', async () => {
    const page = await demo.openPage();
    await page.getByRole('textbox', { name: 'Name' }).fill('Grace');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in as Grace.').waitFor();
    await addTask(page, 'Grace’s task');

    await page.getByRole('button', { name: 'Sign out' }).click();

    await expect.poll(() => timesShown(page, 'Signed out.')).toBe(1);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await expect.poll(() => taskTitles(page)).toEqual([]);
    expect((await page.context().cookies()).map((c) => c.name)).toContain(SESSION_COOKIE);
  });
});
