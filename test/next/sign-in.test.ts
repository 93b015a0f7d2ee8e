import { expect, it } from 'vitest';
import { timesShown } from '../browser/toasts-shown.js';
import { describeInBrowser, messageWaiting, useExampleInBrowser } from './example-fixture.js';

// The example's sign-in and sign-out Server Actions rotate the messages session
// (examples/next/app/actions.ts), as docs/getting-started/next.md's "Signed-in users" says.

const SESSION = 'messages_session';

describeInBrowser('signing in and out of the Next.js example', () => {
  const example = useExampleInBrowser('start');

  /** What `messages.consume` hands a request that carries only `cookie`. */
  async function consumedWith(cookie: string): Promise<unknown[]> {
    const response = await fetch(`${example.url}/api/trpc/messages.consume`, {
      headers: { cookie },
    });
    const body = (await response.json()) as { result: { data: { messages: unknown[] } } };
    return body.result.data.messages;
  }

  it('rotates the session at sign-in: the welcome and what waited show once, and a copy of the visitor cookie reads nothing', async () => {
    const visitor = await example.newVisitor();
    const page = await example.openPage('/', visitor);
    await messageWaiting(page, 'Saved before signing in');
    const planted = (await visitor.cookies()).find((c) => c.name === SESSION)?.value;
    expect(planted).toBeDefined();

    await page.getByRole('button', { name: 'Sign in' }).click();

    await expect.poll(() => timesShown(page, 'Signed in as Ada.')).toBe(1);
    await expect.poll(() => timesShown(page, 'Task "Saved before signing in" created.')).toBe(1);
    expect((await visitor.cookies()).find((c) => c.name === SESSION)).toBeUndefined();
    expect(await consumedWith(`${SESSION}=${planted}`)).toEqual([]);
  });

  it('gives the browser a new visitor session at sign-out, where the goodbye shows', async () => {
    const visitor = await example.newVisitor();
    const page = await example.openPage('/', visitor);
    await messageWaiting(page, 'As a visitor');
    const first = (await visitor.cookies()).find((c) => c.name === SESSION)?.value;
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();

    await expect.poll(() => timesShown(page, 'Signed out.')).toBe(1);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const second = (await visitor.cookies()).find((c) => c.name === SESSION)?.value;
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(await consumedWith(`${SESSION}=${first}`)).toEqual([]);
  });
});
