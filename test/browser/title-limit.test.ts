import { expect, it } from 'vitest';
import { MAX_TITLE_LENGTH } from '../../demo/task.js';
import { describeInBrowser, toastsWith, useDemoInBrowser } from './demo-fixture.js';

describeInBrowser('the title’s limit, in Chromium', () => {
  const demo = useDemoInBrowser();

  it('counts the title’s characters against its limit as they are typed, and stops at the limit', async () => {
    const page = await demo.openPage();
    const field = page.getByLabel('New task');
    const counter = page.locator('.counter');
    await expect.poll(() => counter.textContent()).toContain(`0 / ${MAX_TITLE_LENGTH}`);

    await field.pressSequentially('Buy oat milk');
    await expect.poll(() => counter.textContent()).toContain(`12 / ${MAX_TITLE_LENGTH}`);
    // The field says so to a screen reader too.
    const hint = await field.getAttribute('aria-describedby');
    expect(await page.locator(`[id="${hint}"]`).textContent()).toContain('12 of 80 characters');

    await field.fill('');
    await field.pressSequentially('x'.repeat(MAX_TITLE_LENGTH + 5));
    expect(await field.inputValue()).toHaveLength(MAX_TITLE_LENGTH);
    expect(await counter.getAttribute('data-near-limit')).toBe('true');
  });

  it('still refuses a longer title on the server, with a message', async () => {
    const page = await demo.openPage();
    // Past the field's limit, as a script could send it.
    const answer = await page.request.post(`${demo.url}/trpc/create`, {
      data: { title: 'x'.repeat(MAX_TITLE_LENGTH + 1) },
    });
    expect(answer.status()).toBe(400);
    // The message is this browser's: the open page is handed it, live.
    await toastsWith(page, `A title has at most ${MAX_TITLE_LENGTH} characters.`).waitFor();
  });
});
